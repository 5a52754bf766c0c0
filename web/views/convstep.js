// views/convstep.js: being written; see /tmp/s2/contract.txt.
export function mount() {}
