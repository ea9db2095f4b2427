package rules

import "embed"

// Examples holds the example rule files (examples/*.yaml), clearly marked
// as example values, so that the demo runs from the binary alone.
//
//go:embed examples/*.yaml
var Examples embed.FS
