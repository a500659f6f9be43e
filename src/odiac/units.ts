/** ODIAC cells hold tonne carbon per cell per month; CO2 is carbon times the molar mass ratio 44/12. */
export const CO2_PER_C = 44 / 12;
