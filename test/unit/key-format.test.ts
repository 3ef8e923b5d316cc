import { digestKey, displayPrefix, generateKey, isWellFormedKey, KEY_LENGTH } from "../../src/api-keys/key-format.js";

describe("API key format", () => {
  test("when a key is generated, then it is mrk_ + 46 base62 characters and passes its own checksum", () => {
    const key = generateKey();
    expect(key).toMatch(/^mrk_[0-9A-Za-z]{46}$/);
    expect(key).toHaveLength(KEY_LENGTH);
    expect(isWellFormedKey(key)).toBe(true);
  });

  test("when many keys are generated, then they are all different", () => {
    const keys = new Set(Array.from({ length: 2000 }, generateKey));
    expect(keys.size).toBe(2000);
  });

  test("when one character of the random part is changed, then the checksum refuses it", () => {
    const key = generateKey();
    const i = 10;
    const swapped = key.slice(0, i) + (key[i] === "a" ? "b" : "a") + key.slice(i + 1);
    expect(isWellFormedKey(swapped)).toBe(false);
  });

  test("when the key is one character short or long, upper-cased prefix, or padded, then it is refused", () => {
    const key = generateKey();
    expect(isWellFormedKey(key.slice(0, -1))).toBe(false);
    expect(isWellFormedKey(`${key}A`)).toBe(false);
    expect(isWellFormedKey(key.replace("mrk_", "MRK_"))).toBe(false);
    expect(isWellFormedKey(` ${key}`)).toBe(false);
    expect(isWellFormedKey(key.replace(/.$/, "\u00e9"))).toBe(false);
  });

  test("when a key is digested, then the digest is SHA-256 hex and the display prefix shows only 8 random characters", () => {
    const key = generateKey();
    expect(digestKey(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(digestKey(key)).not.toContain(key.slice(4, 20));
    expect(displayPrefix(key)).toBe(key.slice(0, 12));
  });
});
