/**
 * The annotation on a Secret recording its credentials' fingerprints: written by the program's
 * components, read by the policy pack. Its own module so that the pack (and `policy:check` on
 * plain manifests) can name it without loading the Pulumi SDK the components need.
 */
export const FINGERPRINT_ANNOTATION = "keybuzz.io/fingerprints";
