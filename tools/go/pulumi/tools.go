//go:build tools

// The binaries this module builds; the build tag keeps this file out of every build.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
