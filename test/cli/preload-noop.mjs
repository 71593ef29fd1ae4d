// A module preloaded with `node --import` by test/cli/hygiene.spec.ts (it registers nothing:
// it stands for a user's variant module, whose replay lines must preload it again).
export {};
