/** Facts of the ODIAC product shared by the stages: file names, the 1 km lattice, units. */

export { checkOdiacLattice, isOdiacLattice, ODIAC_CELL, ODIAC_GLOBAL_GRID, odiacLatticeProblem } from './lattice.ts';
export { checksumListName, monthFileName, type OdiacName, parseOdiacName, yearDir, yearZipName } from './names.ts';
export { CO2_PER_C } from './units.ts';
