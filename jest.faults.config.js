/** The fault suite: real server processes under load, killed, or cut off from their database. */
import { base } from "./jest.config.js";

export default {
  ...base,
  roots: ["<rootDir>/test/faults"],
  testTimeout: 300000,
};
