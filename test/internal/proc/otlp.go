package proc

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
)

// PostOTLP sends one OTLP/HTTP export request, marshalled by marshal (an Export request's
// MarshalProto), to url with client c, and fails unless the collector answers 200 OK. The
// response body is drained so the connection is reused.
func PostOTLP(ctx context.Context, c *http.Client, url string, marshal func() ([]byte, error)) error {
	body, err := marshal()
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: %s", url, resp.Status)
	}
	return nil
}
