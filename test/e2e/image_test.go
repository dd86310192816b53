package e2e

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// imageBuildTimeout bounds one buildah command (the build copies a 40 MB binary into vfs storage).
const imageBuildTimeout = 3 * time.Minute

// TestImage builds the Dockerfile with buildah (FROM scratch needs no registry), then reads the
// image as an OCI layout: the user, entrypoint, ports and the files the Dockerfile promises,
// and the image's own binary validates the image's own configuration.
//
// It runs where buildah is installed (Debian: apt-get install buildah; root, vfs storage in a
// temporary directory, so nothing outside the test's directory changes). AUTHOBS_IMAGE_BUILD=1
// makes a missing buildah a failure instead of a skip.
func TestImage(t *testing.T) {
	buildah, err := exec.LookPath("buildah")
	if err != nil {
		if os.Getenv("AUTHOBS_IMAGE_BUILD") == "1" {
			t.Fatal("AUTHOBS_IMAGE_BUILD=1 but buildah is not on PATH")
		}
		t.Skip("buildah not installed: the image is not built (set AUTHOBS_IMAGE_BUILD=1 to require it)")
	}
	root := repoRoot(t)
	collectorBinary(t) // brings _build/otelcol-authobs, the Dockerfile's input, up to date
	bin := filepath.Join(root, "_build", "otelcol-authobs")

	dir := t.TempDir()
	certs := filepath.Join(dir, "certs")
	bundle := []byte("-----BEGIN CERTIFICATE-----\nZTJlIHRlc3QgYnVuZGxl\n-----END CERTIFICATE-----\n")
	if err := os.MkdirAll(certs, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(certs, "ca-certificates.crt"), bundle, 0o644); err != nil {
		t.Fatal(err)
	}
	storage := []string{"--root", filepath.Join(dir, "storage"), "--runroot", filepath.Join(dir, "run"), "--storage-driver", "vfs"}
	buildahRun := func(args ...string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), imageBuildTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, buildah, append(append([]string{}, storage...), args...)...)
		cmd.Dir = root
		cmd.WaitDelay = time.Second
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("buildah %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	const tag = "localhost/otelcol-authobs:e2e"
	buildahRun("build", "--build-context", "certs="+certs, "-f", "Dockerfile", "-t", tag, ".")
	layout := filepath.Join(dir, "oci")
	buildahRun("push", tag, "oci:"+layout)

	cfg, files := readOCIImage(t, layout)
	if cfg.User != "10001:10001" {
		t.Errorf("user %q, want the non-root 10001:10001", cfg.User)
	}
	if strings.Join(cfg.Entrypoint, " ") != "/otelcol-authobs" ||
		strings.Join(cfg.Cmd, " ") != "--config /etc/otelcol-authobs/config.yaml" {
		t.Errorf("entrypoint %q cmd %q", cfg.Entrypoint, cfg.Cmd)
	}
	for _, port := range []string{"4317/tcp", "4318/tcp", "13133/tcp"} {
		if _, ok := cfg.ExposedPorts[port]; !ok {
			t.Errorf("port %s not exposed: %v", port, cfg.ExposedPorts)
		}
	}

	wantBin, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	wantConfig, err := os.ReadFile(filepath.Join(root, "config", "gateway.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string][]byte{
		"otelcol-authobs":                   wantBin,
		"etc/otelcol-authobs/config.yaml":   wantConfig,
		"etc/ssl/certs/ca-certificates.crt": bundle,
	} {
		f, ok := files[path]
		if !ok {
			t.Errorf("/%s missing from the image", path)
			continue
		}
		if !bytes.Equal(f.data, want) {
			t.Errorf("/%s differs from its source (%d bytes, want %d)", path, len(f.data), len(want))
		}
	}
	if f := files["otelcol-authobs"]; f.hdr != nil && f.hdr.Mode&0o111 == 0 {
		t.Errorf("/otelcol-authobs is not executable: %o", f.hdr.Mode)
	}
	st, ok := files["var/lib/otelcol/file_storage"]
	switch {
	case !ok:
		t.Error("/var/lib/otelcol/file_storage missing from the image")
	case st.hdr.Typeflag != tar.TypeDir || st.hdr.Uid != 10001 || st.hdr.Gid != 10001:
		t.Errorf("/var/lib/otelcol/file_storage: type %c owner %d:%d, want a directory owned by 10001:10001",
			st.hdr.Typeflag, st.hdr.Uid, st.hdr.Gid)
	}
	for path := range files {
		if strings.HasPrefix(path, "var/lib/otelcol/file_storage/") {
			t.Errorf("the storage directory is not empty: /%s", path)
		}
	}

	// The image's binary accepts the image's configuration.
	imgBin, imgConfig := filepath.Join(dir, "otelcol-authobs"), filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(imgBin, files["otelcol-authobs"].data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(imgConfig, files["etc/otelcol-authobs/config.yaml"].data, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, imgBin, "validate", "--config", imgConfig)
	cmd.Env = collectorEnv(validateEnv(t))
	cmd.Dir = dir
	cmd.WaitDelay = time.Second
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("the image's binary rejects its configuration: %v\n%s", err, out)
	}
}

// ociConfig is the part of an OCI image configuration the test checks.
type ociConfig struct {
	User         string              `json:"User"`
	Entrypoint   []string            `json:"Entrypoint"`
	Cmd          []string            `json:"Cmd"`
	ExposedPorts map[string]struct{} `json:"ExposedPorts"`
}

// imageFile is one entry of the image's flattened layers.
type imageFile struct {
	hdr  *tar.Header
	data []byte
}

// readOCIImage reads the single image of an OCI layout directory: its configuration and every
// file of its layers, later layers overriding earlier ones (this image deletes nothing, so
// whiteouts are not expected and are reported).
func readOCIImage(t *testing.T, layout string) (ociConfig, map[string]imageFile) {
	t.Helper()
	blob := func(digest string) []byte {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(layout, "blobs", strings.Replace(digest, ":", string(filepath.Separator), 1)))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var index struct {
		Manifests []struct{ Digest string } `json:"manifests"`
	}
	raw, err := os.ReadFile(filepath.Join(layout, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &index); err != nil || len(index.Manifests) != 1 {
		t.Fatalf("index.json: %v, %d manifests", err, len(index.Manifests))
	}
	var manifest struct {
		Config struct{ Digest string }   `json:"config"`
		Layers []struct{ Digest string } `json:"layers"`
	}
	if err := json.Unmarshal(blob(index.Manifests[0].Digest), &manifest); err != nil {
		t.Fatal(err)
	}
	var config struct {
		Config ociConfig `json:"config"`
	}
	if err := json.Unmarshal(blob(manifest.Config.Digest), &config); err != nil {
		t.Fatal(err)
	}
	files := map[string]imageFile{}
	for _, layer := range manifest.Layers {
		var r io.Reader = bufio.NewReader(bytes.NewReader(blob(layer.Digest)))
		if peek, _ := r.(*bufio.Reader).Peek(2); bytes.Equal(peek, []byte{0x1f, 0x8b}) {
			zr, err := gzip.NewReader(r)
			if err != nil {
				t.Fatal(err)
			}
			r = zr
		}
		tr := tar.NewReader(r)
		for {
			hdr, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("layer %s: %v", layer.Digest, err)
			}
			name := strings.TrimSuffix(strings.TrimPrefix(hdr.Name, "./"), "/")
			if strings.Contains(filepath.Base(name), ".wh.") {
				t.Errorf("unexpected whiteout %s", name)
			}
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			files[name] = imageFile{hdr: hdr, data: data}
		}
	}
	return config.Config, files
}
