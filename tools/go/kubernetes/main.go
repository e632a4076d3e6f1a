// The upstream Pulumi kubernetes provider, built from the Go module proxy.
//
// Upstream's own main (cmd/pulumi-resource-kubernetes) embeds two generated files that
// are not in the module, and its go.mod replaces the SDK with a local path, so it cannot
// be built with `go install`. This main is upstream's, line for line in substance: the
// embedded schema is the module's own schema.json with the version stamped in, written by
// generate-embeds.mjs at setup (scripts/setup.sh), exactly what upstream's generate.go does.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
