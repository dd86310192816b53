// An empty stand-in for the contrib otlpencodingextension module. fileexporter v0.165.1 imports
// it only from its tests, yet ocb's `go mod tidy` wants it resolved and the module proxy refuses
// it; builder-config.yaml replaces it with this directory. Nothing links against it.
module github.com/open-telemetry/opentelemetry-collector-contrib/extension/encoding/otlpencodingextension

go 1.26.0
