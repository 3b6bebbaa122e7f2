package main

// Spec §10: request signatures (RFC 9421 with an RFC 9530 Content-Digest),
// written from docs/spec.md §10 alone, with regular expressions rather than a
// cursor so that it shares no structure with src/core/http_signature.cc.

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"strconv"
	"strings"
)

var (
	reMethod     = regexp.MustCompile("^[!#$%&'*+\\-.^_`|~0-9A-Za-z]+$")
	rePath       = regexp.MustCompile(`^/[\x21-\x7e]*$`)
	reQuery      = regexp.MustCompile(`^(\?[\x21-\x7e]*)?$`)
	reDigest     = regexp.MustCompile(`^sha-256=:([A-Za-z0-9+/=]*):$`)
	reSignature  = regexp.MustCompile(`^sig1=:([A-Za-z0-9+/=]*):$`)
	reInput      = regexp.MustCompile(`^sig1=(\(([^()]*)\)(.*))$`)
	reComponent  = regexp.MustCompile(`^"([^"\\]*)"$`)
	reParam      = regexp.MustCompile(`^;([a-z][a-z0-9_.*-]*)=("[\x20\x21\x23-\x5b\x5d-\x7e]*"|[0-9]+)`)
	reNonce      = regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`)
	reKeyid      = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$`)
	httpRequired = []string{"@method", "@path", "@query", "content-digest"}
)

type httpRequest struct {
	method, path, query string
	body                []byte
}

// httpVerify is §10.4; pub is the key the keyid names.
func httpVerify(r httpRequest, cd, si, sf string, pub publicKey) error {
	if cd == "" || si == "" || sf == "" {
		return malformed("a signature field is missing")
	}
	if !reMethod.MatchString(r.method) || !rePath.MatchString(r.path) || !reQuery.MatchString(r.query) {
		return malformed("method, path or query breaks §10.3")
	}
	m := reDigest.FindStringSubmatch(cd)
	if m == nil {
		return malformed("Content-Digest is not sha-256=:…:")
	}
	digest, err := decodeBase64(m[1])
	if err != nil || len(digest) != 32 {
		return malformed("Content-Digest is not 32 bytes of canonical base64")
	}
	m = reInput.FindStringSubmatch(si)
	if m == nil {
		return malformed("Signature-Input is not sig1=(…)…")
	}
	params := m[1]
	var names []string
	if m[2] != "" {
		names = strings.Split(m[2], " ")
	}
	seen := map[string]bool{}
	for _, item := range names {
		cm := reComponent.FindStringSubmatch(item)
		if cm == nil {
			return malformed("component %q is not a plain string", item)
		}
		ok := false
		for _, want := range httpRequired {
			ok = ok || cm[1] == want
		}
		if !ok || seen[cm[1]] {
			return malformed("component %q unexpected or repeated", cm[1])
		}
		seen[cm[1]] = true
	}
	if len(seen) != len(httpRequired) {
		return malformed("a required component is missing")
	}
	values := map[string]string{}
	rest := m[3]
	for rest != "" {
		pm := reParam.FindStringSubmatch(rest)
		if pm == nil {
			return malformed("bad parameter text %q", rest)
		}
		if _, dup := values[pm[1]]; dup {
			return malformed("parameter %s repeated", pm[1])
		}
		values[pm[1]] = pm[2]
		rest = rest[len(pm[0]):]
	}
	if len(values) != 5 {
		return malformed("not exactly five parameters")
	}
	created, isInt := values["created"]
	if !isInt || strings.HasPrefix(created, "\"") || len(created) > 15 ||
		(len(created) > 1 && created[0] == '0') {
		return malformed("created is not a canonical integer")
	}
	if _, err := strconv.ParseInt(created, 10, 64); err != nil {
		return malformed("created is not an integer")
	}
	unq := func(k string) (string, bool) {
		v, ok := values[k]
		if !ok || len(v) < 2 || v[0] != '"' {
			return "", false
		}
		return v[1 : len(v)-1], true
	}
	nonce, ok1 := unq("nonce")
	keyid, ok2 := unq("keyid")
	alg, ok3 := unq("alg")
	tag, ok4 := unq("tag")
	if !ok1 || !ok2 || !ok3 || !ok4 || alg != "ed25519" || tag != "amanah/v1" {
		return malformed("nonce, keyid, alg or tag missing or wrong")
	}
	nb, err := base64.RawURLEncoding.Strict().DecodeString(nonce)
	if !reNonce.MatchString(nonce) || err != nil || len(nb) != 16 {
		return malformed("nonce is not 16 bytes of base64url")
	}
	if !reKeyid.MatchString(keyid) {
		return malformed("keyid is not canonical fingerprint text")
	}
	m = reSignature.FindStringSubmatch(sf)
	if m == nil {
		return malformed("Signature is not sig1=:…:")
	}
	sig, err := decodeBase64(m[1])
	if err != nil || len(sig) != 64 {
		return malformed("Signature is not 64 bytes of canonical base64")
	}
	sum := sha256.Sum256(r.body)
	if !bytes.Equal(sum[:], digest) {
		return verifyFailed("Content-Digest does not match the body")
	}
	base := httpSignatureBase(r, cd, names, params)
	if _, text := fingerprint(pub.role, pub.sign, pub.enc); text != keyid {
		return verifyFailed("key is not the one keyid names")
	}
	if !ed25519Verify(pub.sign, []byte(base), sig) {
		return verifyFailed("signature does not verify")
	}
	return nil
}

// httpSignatureBase is §10.3; names are quoted component identifiers.
func httpSignatureBase(r httpRequest, cd string, names []string, params string) string {
	var b strings.Builder
	for _, n := range names {
		v := ""
		switch n {
		case `"@method"`:
			v = r.method
		case `"@path"`:
			v = r.path
		case `"@query"`:
			v = r.query
			if v == "" {
				v = "?"
			}
		case `"content-digest"`:
			v = cd
		}
		b.WriteString(n + ": " + v + "\n")
	}
	b.WriteString(`"@signature-params": ` + params)
	return b.String()
}

func httpKey(o obj) publicKey {
	role := -1
	for i, n := range roles {
		if n == o.str("role") {
			role = i
		}
	}
	return publicKey{role: role, sign: o.hex("sign_public"), enc: o.hex("enc_public")}
}

func checkHTTPValid(c *check, v obj) {
	k := v.obj("key")
	pub := httpKey(k)
	c.eqHex("sign_public", ed25519Public(k.hex("sign_seed")), k.str("sign_public"))
	_, text := fingerprint(pub.role, pub.sign, pub.enc)
	c.eqStr("keyid", text, k.str("keyid"))
	r := httpRequest{v.str("method"), v.str("path"), v.str("query"), v.hex("body")}
	nonce := base64.RawURLEncoding.EncodeToString(v.hex("nonce_random"))
	c.eqStr("nonce", nonce, v.str("nonce"))
	sum := sha256.Sum256(r.body)
	cd := "sha-256=:" + base64.StdEncoding.EncodeToString(sum[:]) + ":"
	c.eqStr("content_digest", cd, v.str("content_digest"))
	params := `("@method" "@path" "@query" "content-digest");created=` +
		strconv.Itoa(v.int("created")) + `;nonce="` + nonce + `";keyid="` + text +
		`";alg="ed25519";tag="amanah/v1"`
	c.eqStr("signature_params", params, v.str("signature_params"))
	base := httpSignatureBase(r, cd, []string{`"@method"`, `"@path"`, `"@query"`, `"content-digest"`}, params)
	c.eqStr("signature_base", base, v.str("signature_base"))
	sig := ed25519Sign(k.hex("sign_seed"), []byte(base))
	c.eqHex("signature", sig, v.str("signature"))
	c.eqStr("signature_input", "sig1="+params, v.str("signature_input"))
	sf := "sig1=:" + base64.StdEncoding.EncodeToString(sig) + ":"
	c.eqStr("signature_field", sf, v.str("signature_field"))
	c.code("verify", httpVerify(r, cd, "sig1="+params, sf, pub), codeOK)
}

func checkHTTPCases(c *check, v obj) {
	pub := httpKey(v.obj("key"))
	cases := v.objs("cases")
	if len(cases) < 5 {
		c.fail("too few cases")
	}
	for _, cs := range cases {
		r := httpRequest{cs.str("method"), cs.str("path"), cs.str("query"), cs.hex("body")}
		err := httpVerify(r, cs.str("content_digest"), cs.str("signature_input"), cs.str("signature_field"), pub)
		c.code(cs.str("mistake"), err, v.str("expect"))
	}
}

func checkHTTPDigest(c *check, v obj) {
	for _, cs := range v.objs("cases") {
		sum := sha256.Sum256(cs.hex("body"))
		c.eqStr("content_digest", "sha-256=:"+base64.StdEncoding.EncodeToString(sum[:])+":", cs.str("content_digest"))
	}
}

func checkHTTPRfc9421(c *check, v obj) {
	var b strings.Builder
	for _, comp := range v.objs("components") {
		b.WriteString(`"` + comp.str("name") + `": ` + comp.str("value") + "\n")
	}
	b.WriteString(`"@signature-params": ` + v.str("signature_params"))
	c.eqStr("signature_base", b.String(), v.str("signature_base"))
	c.eqHex("sign_public", ed25519Public(v.hex("sign_seed")), v.str("sign_public"))
	sig := ed25519Sign(v.hex("sign_seed"), []byte(b.String()))
	c.eqHex("signature", sig, v.str("signature"))
	// RFC 9421 B.2.6 prints the signature; compare with its text, not only ours.
	c.eqStr("signature_field", "sig-b26=:"+base64.StdEncoding.EncodeToString(sig)+":", v.str("signature_field"))
	if !ed25519Verify(v.hex("sign_public"), []byte(b.String()), sig) {
		c.fail("RFC 9421 B.2.6 signature does not verify")
	}
}
