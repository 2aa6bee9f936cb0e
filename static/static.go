// Package static is the browser client, embedded in the binary so that
// `go run ./cmd/imperio` is the whole setup: plain ES modules and CSS, no
// build step.
package static

import (
	"embed"
	"io/fs"
)

//go:embed index.html style.css js
var files embed.FS

// FS returns the client's files, rooted at the client's top folder.
func FS() fs.FS { return files }
