package redact

import (
	"encoding/base64"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// scanPieces begin shapes, operators, escapes and keywords, and continue ids, hex and
// base64: random strings drawn from them reach every branch of the scanner.
var scanPieces = []string{
	"a", "Z", "0", "7", "f", "q", "Q", " ", "-", "_", ".", "/", "+", "~", "Q~", "=", "==", ":", "://", "@", ">", "<",
	"\"", "'", "?", "&", "#", "%", "%2F", "%3D", "%41", "&quot;", "&#61;", "&amp;", "&lt", "\\", "\\u0022", "\\n",
	"\u200b", "\u00ad", "\ufeff", "\u2060", "\u212a", "\u017f", "\u00e9", "\u2019", "\t", "\n", "\r\n", "eyJ", "ewog",
	"W3si", "Basic ", "Bearer ", "sk-", "sk-proj-", "ghp_", "AKIA", "xoxb-", "SK", "1//0", "ya29.", "hf_", "dop_v1_",
	"-----BEGIN ", "PRIVATE KEY", "-----END ", "https://", "u:p@", "hooks.slack.com/services/", "password", "token",
	"key", "api", "secret", "Authorization", "<password>", "?key=", "&code=", "0123456789abcdef", "01234567-89ab",
	"req_", "c-", "dG9rZW49", "YWJjZGVm", "k7zq3lmn9pxr2tvb", "XkpQ2mZ9", "AAAA", "zzzz", "9999", "+/+/", "-_-_",
}

// scanProbes are the strings the scanner's fast paths are checked on: the realistic
// workload, the bench inputs, and random strings of scanPieces.
func scanProbes(t *testing.T) []string {
	t.Helper()
	strs := workload(t)
	for _, in := range benchInputs {
		strs = append(strs, in.s)
	}
	for _, in := range scanInputs {
		strs = append(strs, in.s)
	}
	for _, in := range shortInputs {
		strs = append(strs, in.s)
	}
	r := rand.New(rand.NewPCG(7, 8))
	for range 100000 {
		var b strings.Builder
		for n := 1 + r.IntN(24); n > 0; n-- {
			b.WriteString(scanPieces[r.IntN(len(scanPieces))])
		}
		strs = append(strs, b.String())
	}
	for range 5000 {
		secret, _ := plantedShapes[r.IntN(len(plantedShapes))](r)
		strs = append(strs, strs[r.IntN(len(strs))]+scanPieces[r.IntN(len(scanPieces))]+secret)
	}
	return strs
}

// TestScanFindsEscapes checks the escape flag the scan sets on its way against escapeIn
// run over the whole string.
func TestScanFindsEscapes(t *testing.T) {
	with := 0
	for _, s := range scanProbes(t) {
		sc := scanner{s: s}
		sc.scan()
		want := escapeIn(s, 0, len(s))
		if sc.escape != want {
			t.Fatalf("%q: the scan says escape %v, escapeIn %v", s, sc.escape, want)
		}
		if want {
			with++
		}
	}
	// the probes must hold both answers in number, or the check proves little
	if with < 10000 {
		t.Fatalf("only %d probes have an escape", with)
	}
}

// TestRunKindsAgree checks the run profile's answers (its end, one forward pass for the
// kinds of the word at the run's start, the walk back for words further in) against the
// bytes of every word of every run of the probes read directly.
func TestRunKindsAgree(t *testing.T) {
	checked := 0
	for _, s := range scanProbes(t) {
		var sc scanner
		sc.s = s
		for start := 0; start < len(s); start++ {
			if classes[s[start]]&cAlnum == 0 || (start > 0 && classes[s[start-1]]&cEnt != 0) {
				continue
			}
			r := sc.runAt(start, skipAlnum(s, start)+1)
			r.measure(s)
			tokEnd := start + runLen(s, start, func(c byte) bool { return classes[c]&cEnt != 0 })
			end := tokEnd
			for end < len(s) && end < tokEnd+2 && s[end] == '=' {
				end++
			}
			if r.tokEnd != tokEnd || r.end != end {
				t.Fatalf("%q at %d: the run ends at %d, %d with padding; runAt says %d, %d", s, start, tokEnd, end, r.tokEnd, r.end)
			}
			// every word of the run, the first one first, as the scanner meets them
			for i := start; i < r.tokEnd; i++ {
				var word, inner uint8
				for k := i; k < r.end; k++ {
					word |= profileBits[s[k]]
					if k > i {
						inner |= profileBits[s[k]]
					}
				}
				if w, in := r.kinds(s, i); w != word || in != inner {
					t.Fatalf("%q at %d: kinds %08b %08b, the bytes hold %08b %08b", s, i, w, in, word, inner)
				}
				if w, in := r.kindsFrom(i); r.walked && (w != word || in != inner) {
					t.Fatalf("%q at %d: walked kinds %08b %08b, the bytes hold %08b %08b", s, i, w, in, word, inner)
				}
				checked++
			}
		}
	}
	if checked < 100000 {
		t.Fatalf("only %d words checked", checked)
	}
}

// TestBase64LeadBinary checks base64LeadBinary against the decoder: every quad whose first
// byte it marks decodes to a first byte nonText counts, in both alphabets.
func TestBase64LeadBinary(t *testing.T) {
	marked := 0
	for _, enc := range []struct {
		alphabet string
		e        *base64.Encoding
	}{
		{"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", base64.RawStdEncoding},
		{"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", base64.RawURLEncoding},
	} {
		for _, first := range []byte(enc.alphabet) {
			if base64LeadBinary[first] == 0 {
				continue
			}
			marked++
			for _, second := range []byte(enc.alphabet) {
				out, err := enc.e.DecodeString(string([]byte{first, second, 'A', 'A'}))
				if err != nil || nonTextBytes[out[0]] == 0 {
					t.Fatalf("%c%cAA decodes to %q (%v): its first byte is no binary byte", first, second, out, err)
				}
			}
		}
	}
	// the bytes it must mark: every digit and letter from g on, so ids are told at a glance
	for _, c := range []byte("0123456789ghijklmnopqrstuvwxyz+/-_ABEFGH") {
		if base64LeadBinary[c] == 0 {
			t.Errorf("%c: its quads decode to a binary first byte, but it is not marked", c)
		}
	}
	if marked != 2*(10+20+6+2) {
		t.Errorf("%d bytes marked", marked)
	}
}

// TestBinaryLeads checks binaryLeads, which stops counting at the first quad past most,
// against the count of every quad, on random base64 words of every length and bound.
func TestBinaryLeads(t *testing.T) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_"
	r := rand.New(rand.NewPCG(17, 18))
	yes := 0
	for range 20000 {
		w := make([]byte, r.IntN(40))
		for i := range w {
			w[i] = alphabet[r.IntN(len(alphabet))]
		}
		n, most := r.IntN(len(w)+1)/4*4, r.IntN(6)
		lead := 0
		for k := 0; k < n; k += 4 {
			lead += int(base64LeadBinary[w[k]])
		}
		if got := binaryLeads(string(w), n, most); got != (lead > most) {
			t.Fatalf("%q, n %d, most %d: binaryLeads says %v, %d binary leads", w, n, most, got, lead)
		}
		if lead > most {
			yes++
		}
	}
	if yes < 2000 || yes > 18000 {
		t.Fatalf("%d of 20000 past their bound: the check is not exercised", yes)
	}
}

// TestShapesAtGate checks that a word shapesAt turns away is one shapedWordAt, given every
// shape its first byte may begin, finds nothing in: for every pair of first bytes followed
// by the rest of every known head (prefixes, webhook hosts, schemes, JWT and base64 JSON
// heads) and a long token, and at every position of the probes.
func TestShapesAtGate(t *testing.T) {
	heads := append([]string{"bearer ", "basic ", "Bearer ", "BASIC ", "eyJhbGciOi.eyJzdWIiOiIx.sig"}, encodedJSONHeads...)
	for _, rs := range prefixRules {
		for _, r := range rs {
			heads = append(heads, r.prefix)
		}
	}
	heads = append(heads, webhookHosts...)
	const body = "k7zq3lmn9pxr2tvb8wyc4hdj6fgs1kaeXQ2mZ9vL4rT8wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	var sc scanner
	turned, passed := 0, 0
	check := func(s string, i int) {
		f := firstByteShapes[s[i]]
		if f == 0 {
			return
		}
		if shapesAt(s, i) != 0 {
			passed++
			return
		}
		turned++
		sc.s = s
		if start, end, det := sc.shapedWordAt(i, f); end > start {
			t.Fatalf("%q at %d: shapesAt turned away a word in which %v matches [%d, %d)", s, i, det, start, end)
		}
	}
	for a := range 256 {
		for b := range 256 {
			for _, h := range heads {
				check(string([]byte{byte(a), byte(b)})+h[min(2, len(h)):]+body, 0)
			}
			check(string([]byte{byte(a)}), 0)
		}
	}
	for _, s := range scanProbes(t) {
		for i := range len(s) {
			check(s, i)
		}
	}
	if turned < 100000 || passed < 10000 {
		t.Fatalf("turned away %d, passed %d: the gate is not exercised both ways", turned, passed)
	}
}

// TestClassBits checks the byte classes that stand for a test spelt out elsewhere.
func TestClassBits(t *testing.T) {
	for c := range 256 {
		b := byte(c)
		if got, want := isWordByte(b), isTok(b) || b == '.'; got != want {
			t.Errorf("%q: isWordByte %v, a token byte or '.' %v", b, got, want)
		}
		if got, want := classes[b]&cEsc != 0, escapeStart[b] != 0; got != want {
			t.Errorf("%q: cEsc %v, escapeStart %v", b, got, want)
		}
		if got, want := classes[b]&cOp != 0, b == '=' || b == ':' || b == '>' || b == '-'; got != want {
			t.Errorf("%q: cOp %v, one of the bytes scan switches on %v", b, got, want)
		}
	}
}

// TestIsEntityAt checks isEntityAt's loop against the search it stands for at every `&`
// of the probes and of every short string of `&`, `#`, `q` and `;`.
func TestIsEntityAt(t *testing.T) {
	strs := scanProbes(t)
	for n := range 1 << 16 {
		var b [8]byte
		for k := range b {
			b[k] = "&#q;"[n>>(2*k)&3]
		}
		strs = append(strs, string(b[:]))
	}
	for _, s := range strs {
		for i := 0; i+3 < len(s); i++ {
			if s[i] != '&' {
				continue
			}
			c := s[i+1]
			want := c == '#' || ((c == 'q' || c == 'a' || c == 'l' || c == 'g') && strings.IndexByte(s[i+2:min(len(s), i+7)], ';') >= 0)
			if got := isEntityAt(s, i); got != want {
				t.Fatalf("%q at %d: isEntityAt %v, a reference %v", s, i, got, want)
			}
		}
	}
}

// TestInertRuns checks inertRun's claim on every run of hex digits and dashes of the probes
// and of generated ids with every known prefix glued after a dash: where it says inert, the
// bytes after the run's first word begin no word, no escape, no PEM block and no glued
// prefix, which is all the scan would have looked at there.
func TestInertRuns(t *testing.T) {
	strs := scanProbes(t)
	r := rand.New(rand.NewPCG(11, 12))
	const hex, upper = "0123456789abcdefABCDEF", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	var prefixes []string
	for _, rs := range prefixRules {
		for _, pr := range rs {
			prefixes = append(prefixes, pr.prefix)
		}
	}
	for range 20000 {
		var b strings.Builder
		for n := 1 + r.IntN(6); n > 0; n-- {
			for k := 1 + r.IntN(12); k > 0; k-- {
				b.WriteByte(hex[r.IntN(len(hex))])
			}
			b.WriteByte('-')
			if r.IntN(8) == 0 {
				b.WriteString("ACCA") // an AWS key of hex alone: the glue inertRun looks for
				for range 16 {
					b.WriteByte("0123456789ABCDEF"[r.IntN(16)])
				}
				b.WriteByte('-')
			}
			if r.IntN(4) == 0 {
				b.WriteString(prefixes[r.IntN(len(prefixes))])
				body := upper
				if r.IntN(2) == 0 {
					body = "0123456789ABCDEF" // keeps the run hex: `-ACCA…` of an AWS key
				}
				for k := 16 + r.IntN(30); k > 0; k-- {
					b.WriteByte(body[r.IntN(len(body))])
				}
				b.WriteByte('-')
			}
		}
		b.WriteString(scanPieces[r.IntN(len(scanPieces))])
		strs = append(strs, b.String())
	}
	inert, glued := 0, 0
	for _, s := range strs {
		for i := 0; i < len(s); i++ {
			if !isAlnum(s[i]) || (i > 0 && classes[s[i-1]]&cEnt != 0) {
				continue
			}
			tokEnd := i + runLen(s, i, func(c byte) bool { return classes[c]&cEnt != 0 })
			kinds := uint8(0)
			for k := i; k < tokEnd; k++ {
				kinds |= profileBits[s[k]]
			}
			if !isHexRun(s[i:tokEnd]) || !inertRun(s, i, tokEnd, kinds) {
				if isHexRun(s[i:tokEnd]) {
					glued++
				}
				continue
			}
			inert++
			for p := skipAlnum(s, i) + 1; p < tokEnd; p++ {
				if classes[s[p]]&cSep != 0 || escapeStart[s[p]] != 0 || strings.HasPrefix(s[p:], "-----BEGIN ") {
					t.Fatalf("%q: inert run [%d, %d) has a word start, escape or PEM block at %d", s, i, tokEnd, p)
				}
				if s[p-1] == '-' && isAlnum(s[p]) {
					if end, det := prefixAt(s, p); end > p {
						t.Fatalf("%q: inert run [%d, %d) has %v glued at %d", s, i, tokEnd, det, p)
					}
				}
			}
		}
	}
	if inert < 10000 || glued < 1000 {
		t.Fatalf("%d inert runs, %d hex runs with a glued prefix: the check is not exercised", inert, glued)
	}
}

func isHexRun(w string) bool {
	for k := 0; k < len(w); k++ {
		if !isHex(w[k]) && w[k] != '-' {
			return false
		}
	}
	return true
}

// TestQuietScanAgrees checks scan, whose quiet leaf loop (quietUntil) passes over the bytes
// and words with nothing to do, against referenceScan, the loop it replaced, which visits
// every byte and word: the same matches in the same order, the same escape flag.
func TestQuietScanAgrees(t *testing.T) {
	matched := 0
	probes := scanProbes(t)
	// Entra ID secrets (`abc1Q~` and 31+ bytes) with their first three bytes of every
	// kind, after random pieces: the one shape found by a byte after the word's letters
	r := rand.New(rand.NewPCG(9, 10))
	const heads = "aZ09.-_~"
	for range 20000 {
		var b strings.Builder
		for n := r.IntN(4); n > 0; n-- {
			b.WriteString(scanPieces[r.IntN(len(scanPieces))])
		}
		for range 3 {
			b.WriteByte(heads[r.IntN(len(heads))])
		}
		b.WriteString("1Q~")
		b.WriteString(fakeAzure[6 : 6+r.IntN(len(fakeAzure)-5)])
		probes = append(probes, b.String())
	}
	for _, s := range probes {
		got, want := scanner{s: s}, scanner{s: s}
		got.scan()
		want.referenceScan()
		if got.escape != want.escape || !slices.Equal(got.found(), want.found()) {
			t.Fatalf("%q: scan found %v (escape %v), the reference %v (escape %v)", s, got.found(), got.escape, want.found(), want.escape)
		}
		if want.n > 0 {
			matched++
		}
	}
	// the probes must hold matches in number, or the check proves little
	if matched < 10000 {
		t.Fatalf("only %d probes have a match", matched)
	}
}

// referenceScan is scan as it was before quietUntil: every byte and every word visited in
// the one loop, mayBeToken asked at every word start.
func (sc *scanner) referenceScan() {
	s := sc.s
	wordStart := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		cl := classes[c]
		if cl&cAlnum != 0 {
			last := skipAlnum(s, i)
			if wordStart {
				if f := shapesAt(s, i); mayBeToken(s, i, last+1, f) {
					if start, end, det := sc.wordAt(i, last+1, f); end > start {
						sc.add(match{start: start, end: end, det: det, url: det == URLCredentials})
						sc.jump(i+1, end)
						i = end - 1
						wordStart = false
						continue
					}
					last = max(last, sc.inertEnd-1)
				}
			} else if i > 0 && (s[i-1] == '-' || s[i-1] == '_') && len(prefixRules[c]) > 0 {
				if end, det := prefixAt(s, i); end > i {
					sc.add(match{start: i, end: end, det: det})
					sc.jump(i+1, end)
					i = end - 1
					continue
				}
			}
			i = last
			wordStart = false
			continue
		}
		if cl&(cEsc|cOp) == 0 {
			wordStart = cl&cSep != 0
			continue
		}
		if cl&cEsc != 0 && !sc.escape {
			sc.escape = escapeAt(s, i)
		}
		switch c {
		case '=', ':':
			if next := sc.keyValueAt(i); next > i {
				sc.jump(i+1, next)
				i = next - 1
				wordStart = classes[s[i]]&cSep != 0
				continue
			}
		case '>':
			if next := sc.elementValueAt(i); next > i {
				sc.jump(i+1, next)
				i = next - 1
				wordStart = false
				continue
			}
		case '-':
			if strings.HasPrefix(s[i:], "-----BEGIN ") {
				if end := pemEnd(s, i); end > i {
					sc.add(match{start: i, end: end, det: PrivateKey})
					sc.jump(i+1, end)
					i = end - 1
					continue
				}
			}
		}
		wordStart = cl&cSep != 0
	}
}

// mayBeToken reports whether wordAt can find anything in the word at i whose letters and
// digits end at alnumEnd: its first bytes begin a shape (f, from shapesAt), its token run
// (letters, digits and a token byte after them) can be long enough for the long-token
// tests, or it has the `Q~` of an Entra ID secret. Most words of text are none of these
// and cost no call.
func mayBeToken(s string, i, alnumEnd int, f uint8) bool {
	if f != 0 || alnumEnd-i >= minBase64Len {
		return true
	}
	if alnumEnd < len(s) && classes[s[alnumEnd]]&cEnt != 0 {
		return true
	}
	return i+5 < len(s) && s[i+5] == '~' && s[i+4] == 'Q'
}

// skipAlnum returns the index of the last letter or digit of the run that begins at i.
func skipAlnum(s string, i int) int {
	for j := i + 1; j < len(s); j++ {
		if classes[s[j]]&cAlnum == 0 {
			return j - 1
		}
	}
	return len(s) - 1
}

// TestKeyGateSound checks mayNameSecret, classify's gate, on keys built of the word tables'
// words (whole, cut short, in upper case, camelCase), of digits and separators: every key
// it turns away is one classifyWords calls plain, as attribute key and as query parameter.
func TestKeyGateSound(t *testing.T) {
	words := keyTableWords()
	seps := []string{"", "", "_", "-", ".", " ", "\"", "/"}
	r := rand.New(rand.NewPCG(13, 14))
	turned, secret := 0, 0
	for range 200000 {
		var b strings.Builder
		writeRandomKey(&b, r, words, seps, 4)
		key := b.String()
		gate := mayNameSecret(key)
		for _, query := range []bool{false, true} {
			k := classifyWords(key, query)
			if k != KeyPlain {
				secret++
				if !gate {
					t.Fatalf("%q (query %v): the gate turns it away, classifyWords says %v", key, query, k)
				}
			}
		}
		if !gate {
			turned++
		}
	}
	if turned < 20000 || secret < 20000 {
		t.Fatalf("%d keys turned away, %d secret: the check is not exercised", turned, secret)
	}
}

// TestKeyValueGateAgrees checks keyValueAt, whose walk over the key word turns away keys
// none of whose byte pairs passes pairSeconds, against referenceKeyValueAt, which
// classifies every key word: at every `=` and `:` of the scan probes and of keys built of
// the word tables' words, the same index to go on from and the same matches.
func TestKeyValueGateAgrees(t *testing.T) {
	probes := scanProbes(t)
	words := keyTableWords()
	seps := []string{"", "_", "-", ".", "\"", "'", "\\", " ", "?", "&", ";", "/"}
	ops := []string{"=", ":", ": ", "\":\"", "='", ":=", "=>", "://"}
	r := rand.New(rand.NewPCG(15, 16))
	for range 100000 {
		var b strings.Builder
		b.WriteString(seps[r.IntN(len(seps))])
		writeRandomKey(&b, r, words, seps, 3)
		b.WriteString(ops[r.IntN(len(ops))])
		b.WriteString(scanPieces[r.IntN(len(scanPieces))])
		b.WriteString("k7zq3lmn9pxr2tvb")
		probes = append(probes, b.String())
	}
	calls, secret := 0, 0
	for _, s := range probes {
		for i := 0; i < len(s); i++ {
			if s[i] != '=' && s[i] != ':' {
				continue
			}
			got, want := scanner{s: s}, scanner{s: s}
			g, w := got.keyValueAt(i), want.referenceKeyValueAt(i)
			if g != w || !slices.Equal(got.found(), want.found()) {
				t.Fatalf("%q at %d: keyValueAt goes on at %d with %v, the reference at %d with %v", s, i, g, got.found(), w, want.found())
			}
			calls++
			if w > i {
				secret++
			}
		}
	}
	if calls < 200000 || secret < 20000 {
		t.Fatalf("%d operators, %d with a value: the check is not exercised", calls, secret)
	}
}

// referenceKeyValueAt is keyValueAt as it was before its pair gate: every key word is
// classified.
func (sc *scanner) referenceKeyValueAt(i int) int {
	s := sc.s
	if s[i] == ':' && strings.HasPrefix(s[i+1:], "//") {
		return sc.userinfoAt(i + 3)
	}
	k := i
	for k > 0 && (s[k-1] == '"' || s[k-1] == '\'' || s[k-1] == '\\' || s[k-1] == ' ') {
		k--
	}
	wEnd := k
	for k > 0 && isWordByte(s[k-1]) {
		k--
	}
	if k == wEnd {
		return i
	}
	return sc.keyValueFrom(i, k, wEnd)
}

// keyTableWords are the words of the key tables and a few plain ones, that random keys
// are built of.
func keyTableWords() []string {
	var words []string
	for w := range secretWords {
		words = append(words, w)
	}
	words = append(words, keyQualifiers...)
	words = append(words, neutralWords...)
	words = append(words, queryOnlyWords...)
	return append(words, "key", "items", "page", "id", "x", "0", "9", "Q", "sort", "lang")
}

// writeRandomKey writes 1 to most words to b, each whole, in upper case, capitalised or
// cut to a tail (its pairs shift), and each followed by one of seps.
func writeRandomKey(b *strings.Builder, r *rand.Rand, words, seps []string, most int) {
	for n := 1 + r.IntN(most); n > 0; n-- {
		w := words[r.IntN(len(words))]
		switch r.IntN(6) {
		case 0:
			w = strings.ToUpper(w)
		case 1:
			w = strings.ToUpper(w[:1]) + w[1:]
		case 2:
			w = w[r.IntN(len(w)):]
		}
		b.WriteString(w)
		b.WriteString(seps[r.IntN(len(seps))])
	}
}

// TestQuietPathWordsAgree checks scan against referenceScan where quietUntil answers for
// wordAt: a word of no shape before a `/`, its token run long or short, random (a
// HighEntropy secret after a credential word) or not, at every length around
// minBase64Len and the end of s. The probes must hold matches that begin at such a word.
func TestQuietPathWordsAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	const token = alnum + "+/-_="
	heads := []string{"", "token ", "secret: ", "api_key=", "Authorization: token ", "GET /", "path ", "x "}
	found := 0
	for range 200000 {
		var b strings.Builder
		b.WriteString(heads[r.IntN(len(heads))])
		at := b.Len()
		for n := 1 + r.IntN(11); n > 0; n-- {
			b.WriteByte(alnum[r.IntN(len(alnum))])
		}
		b.WriteByte('/')
		for n := r.IntN(40); n > 0; n-- {
			b.WriteByte(token[r.IntN(len(token))])
		}
		if r.IntN(2) == 0 {
			b.WriteString(" served")
		}
		s := b.String()
		got, want := scanner{s: s}, scanner{s: s}
		got.scan()
		want.referenceScan()
		if got.escape != want.escape || !slices.Equal(got.found(), want.found()) {
			t.Fatalf("%q: scan found %v (escape %v), the reference %v (escape %v)", s, got.found(), got.escape, want.found(), want.escape)
		}
		for _, m := range want.found() {
			if m.start == at {
				found++
			}
		}
	}
	if found < 1000 {
		t.Fatalf("only %d matches at the word before `/`", found)
	}
}
