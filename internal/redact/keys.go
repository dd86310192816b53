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
const maxWords = 12

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
var keyQualifiers = []string{
	"api", "access", "account", "private", "secret", "client", "master", "shared", "subscription",
	"primary", "secondary", "signing", "encryption", "auth", "service", "app", "application",
	"storage", "x", "ssh", "license",
}

// neutralWords make a key describe a secret rather than hold one: token_count,
// api_key_name, token_type, refresh_token_url_override_present.
var neutralWords = []string{
	"count", "counts", "usage", "length", "len", "size", "type", "types", "kind", "present",
	"enabled", "name", "names", "limit", "max", "min", "ttl", "expires", "expiry", "expiration",
	"url", "uri", "endpoint", "budget", "estimate", "attached", "source", "mode", "required",
	"status", "format",
}

// queryOnlyWords are secrets only as a URL query parameter (`?key=…`, `&code=…`), where
// they are the common API-key and OAuth-code parameters; as attribute keys they are plain.
var queryOnlyWords = []string{"key", "code", "auth", "access"}

// What a known word is, besides a secretWords kind.
const (
	roleNeutral = 1 << iota
	roleQualifier
	roleQueryOnly
)

// knownWord is one word of the tables above with everything they say about it.
type knownWord struct {
	word  string
	kind  KeyKind
	roles uint8
}

// maxKnownWord is the longest word of the tables: a longer word is none of them.
const maxKnownWord = 16

// knownWords holds the tables' words grouped by length and first byte (mod 32), so a
// lookup compares a word with the one or two of its length and initial instead of hashing
// it: knownIndex[len][first&31] is a range of knownWords.
var knownWords, knownIndex = func() ([]knownWord, [maxKnownWord + 1][32][2]uint8) {
	byWord := map[string]*knownWord{}
	get := func(w string) *knownWord {
		if len(w) == 0 || len(w) > maxKnownWord {
			panic("keys: word table entry " + w + " is empty or longer than maxKnownWord")
		}
		if byWord[w] == nil {
			byWord[w] = &knownWord{word: w}
		}
		return byWord[w]
	}
	for w, k := range secretWords {
		get(w).kind = k
	}
	for _, list := range []struct {
		words []string
		role  uint8
	}{{neutralWords, roleNeutral}, {keyQualifiers, roleQualifier}, {queryOnlyWords, roleQueryOnly}} {
		for _, w := range list.words {
			get(w).roles |= list.role
		}
	}
	var words []knownWord
	var index [maxKnownWord + 1][32][2]uint8
	for n := 1; n <= maxKnownWord; n++ {
		for b := range 32 {
			lo := len(words)
			for _, k := range byWord {
				if len(k.word) == n && int(k.word[0]&31) == b {
					words = append(words, *k)
				}
			}
			index[n][b] = [2]uint8{uint8(lo), uint8(len(words))} //nolint:gosec // under 256 words: the tables above
		}
	}
	return words, index
}()

// lookupWord returns what the tables say about w, a word of ASCII letters and digits in
// any case (the tables' words are lower case; a digit is unchanged by |0x20).
func lookupWord(w string) (KeyKind, uint8) {
	if len(w) == 0 || len(w) > maxKnownWord {
		return KeyPlain, 0
	}
	r := knownIndex[len(w)][w[0]&31]
next:
	for _, k := range knownWords[r[0]:r[1]] {
		for j := 0; j < len(w); j++ {
			if k.word[j] != w[j]|0x20 {
				continue next
			}
		}
		return k.kind, k.roles
	}
	return KeyPlain, 0
}

// secretHeads has a bit per hash of the first three letters of every word that can make a
// key a secret (secretWords, `key`, queryOnlyWords; all have three or more): a key holding
// none of them anywhere, in any case, is plain without being split into words.
var secretHeads = func() (t [1 << 12 / 64]uint64) {
	add := func(w string) {
		h := head3(w[0], w[1], w[2])
		t[h>>6] |= 1 << (h & 63)
	}
	for w := range secretWords {
		add(w)
	}
	for _, w := range append([]string{"key"}, queryOnlyWords...) {
		add(w)
	}
	return t
}()

// head3 hashes three bytes, ASCII letters folded to lower case (|0x20 turns no other byte
// into a lower-case letter), into 12 bits.
func head3(a, b, c byte) uint16 {
	return (uint16(a|0x20)*31*31 + uint16(b|0x20)*31 + uint16(c|0x20)) & (1<<12 - 1)
}

// pairSeconds[a] has bit c&31 for every pair (a, c) of first two bytes of the words of
// secretHeads, a in either case: a position whose pair has no bit begins none of the words,
// and costs two table reads and a shift instead of a hash. (c&31 is c|0x20's too, so c
// may be of either case.)
var pairSeconds = func() (t [256]uint32) {
	add := func(w string) {
		t[w[0]] |= 1 << (w[1] & 31)
		t[w[0]&^0x20] |= 1 << (w[1] & 31)
	}
	for w := range secretWords {
		add(w)
	}
	for _, w := range append([]string{"key"}, queryOnlyWords...) {
		add(w)
	}
	return t
}()

// pairBit[c] is the bit of pairSeconds that c as a second byte stands for.
var pairBit = func() (t [256]uint32) {
	for c := range t {
		t[c] = 1 << (c & 31)
	}
	return t
}()

// mayNameSecret reports whether key can hold a word that makes it a secret: a position
// whose pair passes pairSeconds and whose three bytes pass secretHeads.
func mayNameSecret(key string) bool {
	for i := 0; i+2 < len(key); i++ {
		if pairSeconds[key[i]]>>(key[i+1]&31)&1 == 0 {
			continue
		}
		if h := head3(key[i], key[i+1], key[i+2]); secretHeads[h>>6]&(1<<(h&63)) != 0 {
			return true
		}
	}
	return false
}

// ClassifyKey classifies an attribute key or a free-text key word. It allocates nothing.
func ClassifyKey(key string) KeyKind {
	return classify(key, false)
}

// classify reads the words of key (split at non-alphanumerics and camelCase boundaries:
// apiKey, APIKey, x-api-key, http.request.header.authorization; at most maxWords) one by
// one, and looks each up where it ends, without copying it.
func classify(key string, query bool) KeyKind {
	if !mayNameSecret(key) {
		return KeyPlain
	}
	return classifyWords(key, query)
}

// classifyWords is classify past its gate: mayNameSecret only turns away keys this
// classifies plain (TestKeyGateSound).
func classifyWords(key string, query bool) KeyKind {
	kind := KeyPlain
	var prevRoles, firstRoles uint8
	n := 0
	start := -1 // the current word's first byte; -1 between words
	for i := 0; i <= len(key); i++ {
		inWord, boundary := false, false
		if i < len(key) {
			c := key[i]
			isUpper := c >= 'A' && c <= 'Z'
			if isUpper || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
				inWord, boundary = true, start < 0
				if !boundary && isUpper {
					prev := key[i-1]
					prevLower := prev >= 'a' && prev <= 'z'
					nextLower := i+1 < len(key) && key[i+1] >= 'a' && key[i+1] <= 'z'
					prevUpper := prev >= 'A' && prev <= 'Z'
					boundary = prevLower || (prevUpper && nextLower)
				}
			}
		}
		if start >= 0 && (!inWord || boundary) {
			// the word [start, i) ends: it is word n-1
			w := key[start:i]
			k, roles := lookupWord(w)
			if n == 1 {
				firstRoles = roles
			}
			if roles&roleNeutral != 0 {
				return KeyPlain
			}
			if k > kind {
				kind = k
			} else if len(w) == 3 && w[0]|0x20 == 'k' && w[1]|0x20 == 'e' && w[2]|0x20 == 'y' && n > 1 &&
				prevRoles&roleQualifier != 0 && kind == KeyPlain {
				kind = KeySecret
			}
			prevRoles = roles
			start = -1
		}
		if boundary {
			if n == maxWords {
				break
			}
			start = i
			n++
		}
	}
	if kind == KeyPlain && query && n == 1 && firstRoles&roleQueryOnly != 0 {
		kind = KeySecret
	}
	return kind
}
