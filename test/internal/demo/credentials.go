package demo

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// secrets are every credential value the demo handed out or saw issued.
type secrets struct {
	apiKey              string
	access, refresh, id string
	values              map[string]string // value → what it is
}

func newSecrets() *secrets {
	s := &secrets{values: map[string]string{}}
	s.apiKey = "sk-proj-" + randomString(48)
	s.access = fakeJWT(map[string]any{"sub": "user-" + randomString(8), "scope": "openid profile email offline_access"})
	s.id = fakeJWT(map[string]any{"email": "dev@example.com", "https://api.openai.com/auth": map[string]any{"chatgpt_account_id": "acct-demo-0001"}})
	s.refresh = "rt_" + randomString(40)
	s.add(s.apiKey, "API key")
	s.add(s.access, "access token")
	s.add(s.id, "id token")
	s.add(s.refresh, "refresh token")
	return s
}

func (s *secrets) add(v, what string) {
	if v != "" {
		s.values[v] = what
	}
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func randomString(n int) string {
	b := make([]byte, n)
	for i := range b {
		k, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alnum))))
		b[i] = alnum[k.Int64()]
	}
	return string(b)
}

func fakeJWT(claims map[string]any) string {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`))
	payload, _ := json.Marshal(claims)
	return header + "." + enc.EncodeToString(payload) + "." + enc.EncodeToString([]byte(randomString(64)))
}

type authFile struct {
	OpenAIAPIKey *string `json:"OPENAI_API_KEY"`
	Tokens       struct {
		IDToken      string `json:"id_token"`
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		AccountID    string `json:"account_id"`
	} `json:"tokens"`
	LastRefresh string `json:"last_refresh"`
}

func (s *secrets) writeAuthFile(path string) error {
	var f authFile
	f.Tokens.IDToken, f.Tokens.AccessToken, f.Tokens.RefreshToken = s.id, s.access, s.refresh
	f.Tokens.AccountID = "acct-demo-0001"
	f.LastRefresh = time.Now().UTC().Format(time.RFC3339)
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

// collectAuthFiles adds the tokens the client wrote back after refreshes.
func (s *secrets) collectAuthFiles(dir string) error {
	paths, err := filepath.Glob(filepath.Join(dir, "auth-*.json"))
	if err != nil {
		return err
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var f authFile
		if err := json.Unmarshal(b, &f); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		s.add(f.Tokens.AccessToken, "issued access token")
		s.add(f.Tokens.RefreshToken, "issued refresh token")
		s.add(f.Tokens.IDToken, "issued id token")
	}
	return nil
}
