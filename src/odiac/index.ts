/** Facts of the ODIAC product shared by the stages: file names, the 1 km lattice, units. */
export { parseOdiacName, monthFileName, yearZipName, checksumListName, yearDir, type OdiacName } from './names.ts';
export { ODIAC_CELL, odiacLatticeProblem, isOdiacLattice, checkOdiacLattice } from './lattice.ts';
export { CO2_PER_C } from './units.ts';
