import * as assert from "node:assert/strict";
import { generate, withDefaults } from "../../stand-in-providers/password";

describe("the RandomPassword stand-in (used where the upstream random provider cannot be built)", () => {
    it("generates passwords of the asked length from the asked character classes", () => {
        const alnum = generate(withDefaults({ length: 48, special: false }));
        assert.match(alnum, /^[A-Za-z0-9]{48}$/);
        const mins = generate(
            withDefaults({
                length: 12,
                minUpper: 3,
                minNumeric: 3,
                minSpecial: 3,
                overrideSpecial: "#",
            }),
        );
        assert.equal(mins.length, 12);
        assert.ok(
            (mins.match(/[A-Z]/g) ?? []).length >= 3 &&
                (mins.match(/[0-9]/g) ?? []).length >= 3 &&
                (mins.match(/#/g) ?? []).length >= 3,
            mins,
        );
        assert.notEqual(
            generate(withDefaults({ length: 32 })),
            generate(withDefaults({ length: 32 })),
        );
    });
});
