package redact

// KeyKind says what an attribute key (or a `key=`/`key:` word in free text) names.
type KeyKind uint8

const (
	// KeyPlain names nothing secret.
	KeyPlain KeyKind = iota
	// KeySecret names a secret: token, password, API key, signature …
	KeySecret
	// KeyHeader names a credential-carrying header (authorization, cookie …): in free text
	// its value runs to the end of the line, since `Bearer x` and `a=b; c=d` contain spaces.
	KeyHeader
	// KeyCookie is KeyHeader for cookies, counted under its own detector.
	KeyCookie
)

// maxWords bounds the words looked at in one key: keys are short, and a long one is
// classified on its first words only (enough for every rule below).
const (
	maxWords   = 12
	maxWordLen = 24
)

// secretWords name a secret on their own.
var secretWords = map[string]KeyKind{
	"token": KeySecret, "secret": KeySecret, "secrets": KeySecret, "password": KeySecret,
	"passwd": KeySecret, "pwd": KeySecret, "passphrase": KeySecret, "credential": KeySecret,
	"credentials": KeySecret, "apikey": KeySecret, "privatekey": KeySecret, "signature": KeySecret,
	"sig": KeySecret, "bearer": KeySecret, "jwt": KeySecret, "accesskey": KeySecret,
	"accountkey": KeySecret, "sessionid": KeySecret, "sessiontoken": KeySecret,
	"authorization": KeyHeader, "cookie": KeyCookie, "cookies": KeyCookie,
}

// keyQualifiers turn a following `key` into a secret: api_key, access-key, AccountKey …
var keyQualifiers = map[string]bool{
	"api": true, "access": true, "account": true, "private": true, "secret": true, "client": true,
	"master": true, "shared": true, "subscription": true, "primary": true, "secondary": true,
	"signing": true, "encryption": true, "auth": true, "service": true, "app": true,
	"application": true, "storage": true, "x": true, "ssh": true, "license": true,
}

// neutralWords make a key describe a secret rather than hold one: token_count,
// api_key_name, token_type, refresh_token_url_override_present.
var neutralWords = map[string]bool{
	"count": true, "counts": true, "usage": true, "length": true, "len": true, "size": true,
	"type": true, "types": true, "kind": true, "present": true, "enabled": true, "name": true,
	"names": true, "limit": true, "max": true, "min": true, "ttl": true, "expires": true,
	"expiry": true, "expiration": true, "url": true, "uri": true, "endpoint": true,
	"budget": true, "estimate": true, "attached": true, "source": true, "mode": true,
	"required": true, "status": true, "format": true,
}

// queryOnlyWords are secrets only as a URL query parameter (`?key=…`, `&code=…`), where
// they are the common API-key and OAuth-code parameters; as attribute keys they are plain.
var queryOnlyWords = map[string]bool{"key": true, "code": true, "auth": true, "access": true}

// ClassifyKey classifies an attribute key or a free-text key word. It allocates nothing.
func ClassifyKey(key string) KeyKind {
	return classify(key, false)
}

func classify(key string, query bool) KeyKind {
	var words [maxWords][maxWordLen]byte
	var lens [maxWords]int
	n := splitWords(key, &words, &lens)
	if n == 0 {
		return KeyPlain
	}
	kind := KeyPlain
	for i := 0; i < n; i++ {
		w := words[i][:lens[i]]
		if neutralWords[string(w)] {
			return KeyPlain
		}
		if k, ok := secretWords[string(w)]; ok && k > kind {
			kind = k
			continue
		}
		if string(w) == "key" && i > 0 && keyQualifiers[string(words[i-1][:lens[i-1]])] && kind == KeyPlain { //nolint:gosec // 0 < i < n <= maxWords
			kind = KeySecret
		}
	}
	if kind == KeyPlain && query && n == 1 && queryOnlyWords[string(words[0][:lens[0]])] {
		kind = KeySecret
	}
	return kind
}

// splitWords lower-cases key into words split at non-alphanumerics and camelCase
// boundaries (apiKey, APIKey, x-api-key, http.request.header.authorization).
func splitWords(key string, words *[maxWords][maxWordLen]byte, lens *[maxWords]int) int {
	n := 0
	cur := -1
	for i := 0; i < len(key) && n <= maxWords; i++ {
		c := key[i]
		lower := c | 0x20
		isUpper := c >= 'A' && c <= 'Z'
		isAlnum := isUpper || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
		if !isAlnum {
			cur = -1
			continue
		}
		boundary := cur < 0
		if !boundary && isUpper && i > 0 {
			prev := key[i-1]
			prevLower := prev >= 'a' && prev <= 'z'
			nextLower := i+1 < len(key) && key[i+1] >= 'a' && key[i+1] <= 'z'
			prevUpper := prev >= 'A' && prev <= 'Z'
			boundary = prevLower || (prevUpper && nextLower)
		}
		if boundary {
			if n == maxWords {
				break
			}
			cur = n
			n++
			lens[cur] = 0
		}
		if lens[cur] < maxWordLen {
			if !isUpper && (c < 'a' || c > 'z') {
				lower = c
			}
			words[cur][lens[cur]] = lower
			lens[cur]++
		}
	}
	return n
}
