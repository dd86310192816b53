package mockapi

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The official SDK is a client the team did not write: if it parses the mock,
// the mock's shapes are the real API's.
func TestOfficialSDKUnderstandsTheMock(t *testing.T) {
	e := newEnv(t, Options{})
	newClient := func(sc, key string) openai.Client {
		return openai.NewClient(option.WithBaseURL(e.ts.URL+"/"+sc+"/v1/"), option.WithAPIKey(key),
			option.WithHTTPClient(e.ts.Client()), option.WithMaxRetries(0))
	}
	params := responses.ResponseNewParams{Model: "gpt-5.1", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hi")}}
	want := replyText("success", "http")

	c := newClient("success", testAPIKey)
	resp, err := c.Responses.New(e.ctx, params)
	require.NoError(t, err)
	assert.Equal(t, want, resp.OutputText())
	assert.Positive(t, resp.Usage.TotalTokens)

	stream := c.Responses.NewStreaming(e.ctx, params)
	var deltas strings.Builder
	var completed responses.Response
	for stream.Next() {
		switch ev := stream.Current().AsAny().(type) {
		case responses.ResponseTextDeltaEvent:
			deltas.WriteString(ev.Delta)
		case responses.ResponseCompletedEvent:
			completed = ev.Response
		}
	}
	require.NoError(t, stream.Err())
	require.NoError(t, stream.Close())
	assert.Equal(t, want, deltas.String())
	assert.Equal(t, want, completed.OutputText())

	models, err := c.Models.List(e.ctx)
	require.NoError(t, err)
	require.Len(t, models.Data, 1)
	assert.Equal(t, "gpt-5.1", models.Data[0].ID)

	denied := newClient("api_key_401", testAPIKey)
	_, err = denied.Responses.New(e.ctx, params)
	var apiErr *openai.Error
	require.True(t, errors.As(err, &apiErr), "%v", err)
	assert.Equal(t, http.StatusUnauthorized, apiErr.StatusCode)
	assert.Equal(t, "invalid_api_key", apiErr.Code)
	assert.Equal(t, "invalid_api_key", apiErr.Response.Header.Get("x-openai-authorization-error"))
}
