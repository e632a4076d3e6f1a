//go:build tools

// The binary this module builds; the build tag keeps this file out of every build.
package tools

import _ "sigs.k8s.io/kwok/cmd/kwok"
