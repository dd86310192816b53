package redact

import (
	"testing"
)

// TestContextPrecision: issue 8's benign shapes come out unchanged — a random-looking part
// without a vendor marker is not a secret on a path, in an ARN, in an id or in base64 text.
func TestContextPrecision(t *testing.T) {
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"GET /api/v1/namespaces/default/pods/frontend-7d9f8b6c5-x2x9k/log?container=app",
		"/api/v2/projects/3f2b8c1e-9d4a-4e7b-a1c2-5d6e7f8a9b0c/builds/build_01HZX8K3M9Q2R4T6V8W0Y2A4C6/artifacts",
		"/var/lib/kubelet/pods/3f2b8c1e-9d4a-4e7b-a1c2-5d6e7f8a9b0c/volumes/kubernetes.io~projected/kube-api-access-x7k2p",
		"/nix/store/9krlzvny65gdc8s7kpb6lkx8cd02c25c-go-1.26.8/bin/go",
		"/sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3f2b8c1e_9d4a_4e7b_a1c2_5d6e7f8a9b0c.slice/cri-containerd-4f1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5061728394a5b6c7d8e9f.scope",
		"arn:aws:iam::123456789012:role/service-role/MyLambdaExecutionRole-3kq8x2zp",
		"arn:aws:ecs:us-west-1:123456789123:task/10838bed-421f-43ef-870a-f43feacbbb5b",
		"arn:aws:ecs:us-west-2:123456789012:task/my-cluster/7e3f5c0a9b1d4e2f8a6c3b5d7e9f1a2b",
		"X-Amz-Cf-Id: 4qBvDEhfG9yZ8J3kLmN0pQrStUvWxYz12AbCdEfGhIjKlMnOpQr==",
		"x-amz-cf-id=Zx9T6Fv3QHPRaKs2bN1mW8cYdL4eJ7gU0iO5tRpVyXzAqBwCn==",
		"/tmp/codex-live.6RjL7d/live/x/work",
		"sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		"ghcr.io/open-telemetry/demo@sha256:2b4d2e2f1c3a5b7d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d",
		"01HZX8K3M9Q2R4T6V8W0Y2A4C6",
		"request_id=req_8fK2mQ9xL3vB7nP1zR5tY0wC",
		"VGhlIHF1aWNrIGJyb3duIGZveCBqdW1wcyBvdmVyIHRoZSBsYXp5IGRvZyBhZ2Fpbg==",
		"dGhlIGJ1aWxkIGZpbmlzaGVkIGluIDEyIHNlY29uZHMgd2l0aCAzIHdhcm5pbmdz",
		"traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
		"https://storage.googleapis.com/bucket-prod/objects/aB3xY9kLmN2pQ7rS5tU8vW1zC4dE6fG0hJ/object.json",
		"at com.example.shop.CartService.checkout(CartService.java:142)",
		"panic: runtime error: index out of range [5] with length 3\n\ngoroutine 1 [running]:\nmain.main()\n\t/home/dev/src/app/main.go:12 +0x1d",
	} {
		var hits Hits
		if out, changed := e.Redact(s, &hits); changed {
			t.Errorf("changed:\n in: %q\nout: %q", s, out)
		}
	}
}

// TestGoShortAssignment: `k := "…"` redacts the value, not the `=`.
func TestGoShortAssignment(t *testing.T) {
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := `adafruit_token := "k7Zq3LmN9pXr2TvB8wYc4HdJ6fGs1KaE"`
	var hits Hits
	out, _ := e.Redact(in, &hits)
	if want := `adafruit_token := "[REDACTED]"`; out != want {
		t.Errorf("got %q, want %q", out, want)
	}
}
