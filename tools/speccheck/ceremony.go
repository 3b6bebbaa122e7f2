package main

// Spec §4: the registry ceremony — dealing, the config body, the config file
// and its signatures, share delivery and verification.

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bwesterb/go-ristretto"
)

const (
	configBegin   = "-----BEGIN AMANAH REGISTRY CONFIG-----"
	configEnd     = "-----END AMANAH REGISTRY CONFIG-----"
	roleCustodian = 2
)

// config is the §4.2 body, decoded.
type config struct {
	registryID []byte
	name       string
	epoch      uint32
	k, n       int
	dealer     []byte
	custodians []publicKey
	X          *ristretto.Point
	Xi         []*ristretto.Point // Xi[i-1] = X_i
	A          []*ristretto.Point // A[0] = X
}

type acceptance struct {
	index int
	sig   []byte
}

// configFile is a parsed §4.3 file.
type configFile struct {
	body        []byte
	cfg         config
	dealerSig   []byte
	acceptances []acceptance
}

// validText is the §4.1 text rule (the registry name; labels follow §3.1).
func validText(s string) error {
	if len(s) < 1 || len(s) > 64 || !utf8.ValidString(s) {
		return malformed("text of %d bytes or not UTF-8", len(s))
	}
	for _, r := range s {
		if r <= 0x1f || (r >= 0x7f && r <= 0x9f) {
			return malformed("control character in text")
		}
	}
	return nil
}

func encodeBody(c config) []byte {
	out := cat(u16(1), c.registryID, lp([]byte(c.name)), u32(c.epoch), u16(c.k), u16(c.n), c.dealer)
	for _, cu := range c.custodians {
		out = cat(out, u8(cu.role), lp([]byte(cu.label)), cu.sign, cu.enc)
	}
	out = cat(out, c.X.Bytes())
	for _, x := range c.Xi {
		out = cat(out, x.Bytes())
	}
	for _, a := range c.A[1:] {
		out = cat(out, a.Bytes())
	}
	return out
}

// parseBody is §4.2 with every `malformed` rule.
func parseBody(body []byte) (config, error) {
	var c config
	r := &reader{b: body}
	if v := r.u16(); r.err == nil && v != 1 {
		return c, malformed("version %d", v)
	}
	c.registryID = r.take(16)
	c.name = string(r.lp())
	c.epoch = r.u32()
	c.k, c.n = r.u16(), r.u16()
	if r.err != nil {
		return c, r.err
	}
	if err := validText(c.name); err != nil {
		return c, err
	}
	if c.epoch == 0 {
		return c, malformed("epoch 0")
	}
	if c.k < 2 || c.k > c.n || c.n > 255 {
		return c, malformed("k = %d, n = %d", c.k, c.n)
	}
	c.dealer = r.take(32)
	if r.err == nil && !ed25519ValidPoint(c.dealer) { // §4.2: as §3.2's sign key
		return c, malformed("the dealer key is not a valid Ed25519 point")
	}
	elem := func() *ristretto.Point {
		b := r.take(32)
		if r.err != nil {
			return nil
		}
		p, err := decodeElement(b)
		if err != nil {
			r.err = err
		}
		return p
	}
	for i := 0; i < c.n && r.err == nil; i++ {
		var cu publicKey
		cu.role = r.u8()
		cu.label = string(r.lp())
		cu.sign = r.take(32)
		cu.enc = r.take(32)
		if r.err != nil {
			break
		}
		if cu.role != roleCustodian {
			return c, malformed("custodian %d has role %d", i+1, cu.role)
		}
		if err := validLabel(cu.label); err != nil { // §4.2: a label (§3.1)
			return c, err
		}
		if !ed25519ValidPoint(cu.sign) { // §4.2: a sign key §3.2 would accept
			return c, malformed("custodian %d's sign key is not a valid Ed25519 point", i+1)
		}
		if _, err := decodeElement(cu.enc); err != nil {
			return c, err
		}
		c.custodians = append(c.custodians, cu)
	}
	c.X = elem()
	for i := 0; i < c.n && r.err == nil; i++ {
		c.Xi = append(c.Xi, elem())
	}
	c.A = []*ristretto.Point{c.X}
	for j := 1; j < c.k && r.err == nil; j++ {
		c.A = append(c.A, elem())
	}
	if err := r.done(); err != nil {
		return c, err
	}
	return c, checkDistinctKeys(c)
}

// checkDistinctKeys: sign keys and enc keys pairwise distinct, dealer not a custodian.
func checkDistinctKeys(c config) error {
	for i, a := range c.custodians {
		if equalBytes(a.sign, c.dealer) {
			return malformed("dealer key is custodian %d's sign key", i+1)
		}
		for j := 0; j < i; j++ {
			if equalBytes(a.sign, c.custodians[j].sign) || equalBytes(a.enc, c.custodians[j].enc) {
				return malformed("custodians %d and %d share a key", j+1, i+1)
			}
		}
	}
	return nil
}

func configHash(body []byte) []byte {
	return sha256sum(lp([]byte("amanah/v1/config")), body)
}

func dealerMessage(hash []byte) []byte {
	return cat(lp([]byte("amanah/v1/config-signature")), hash)
}

func acceptanceMessage(hash []byte, i int) []byte {
	return cat(lp([]byte("amanah/v1/config-acceptance")), hash, u16(i))
}

func encodeConfigFile(f configFile) string {
	out := armour(configBegin, configEnd, f.body)
	out += "dealer-signature: " + base64.StdEncoding.EncodeToString(f.dealerSig) + "\n"
	for _, a := range f.acceptances {
		out += fmt.Sprintf("acceptance: %d %s\n", a.index, base64.StdEncoding.EncodeToString(a.sig))
	}
	return out
}

// parseConfigFile is the §4.3 parser: exactly one way to write a file.
func parseConfigFile(text string) (configFile, error) {
	var f configFile
	for i := 0; i < len(text); i++ {
		if ch := text[i]; ch != '\n' && (ch < 0x20 || ch > 0x7e) {
			return f, malformed("byte 0x%02x in config file", ch)
		}
	}
	if !strings.HasSuffix(text, "\n") {
		return f, malformed("no final LF")
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	end := -1
	for i, l := range lines {
		if l == configEnd {
			end = i
			break
		}
	}
	if end < 0 || end+1 >= len(lines) {
		return f, malformed("no END or no dealer-signature line")
	}
	body, err := dearmour(lines[:end+1], configBegin, configEnd)
	if err != nil {
		return f, err
	}
	if f.cfg, err = parseBody(body); err != nil {
		return f, err
	}
	f.body = body
	if f.dealerSig, err = signatureField(lines[end+1], "dealer-signature: "); err != nil {
		return f, err
	}
	for _, l := range lines[end+2:] {
		a, err := parseAcceptanceLine(l, f.cfg.n)
		if err != nil {
			return f, err
		}
		f.acceptances = append(f.acceptances, a)
	}
	return f, nil
}

func signatureField(line, prefix string) ([]byte, error) {
	if !strings.HasPrefix(line, prefix) {
		return nil, malformed("expected %q", prefix)
	}
	sig, err := decodeBase64(line[len(prefix):])
	if err != nil {
		return nil, err
	}
	if len(sig) != 64 {
		return nil, malformed("signature of %d bytes", len(sig))
	}
	return sig, nil
}

func parseAcceptanceLine(line string, n int) (acceptance, error) {
	const prefix = "acceptance: "
	if !strings.HasPrefix(line, prefix) {
		return acceptance{}, malformed("unknown line")
	}
	rest := line[len(prefix):]
	sp := strings.IndexByte(rest, ' ')
	if sp < 1 || sp > 3 || rest[0] == '0' {
		return acceptance{}, malformed("acceptance index")
	}
	i, err := strconv.Atoi(rest[:sp])
	if err != nil || strings.ContainsAny(rest[:sp], "+-") {
		return acceptance{}, malformed("acceptance index")
	}
	if i < 1 || i > n {
		return acceptance{}, malformed("acceptance index %d outside 1..%d", i, n)
	}
	sig, err := signatureField(rest[sp:], " ")
	return acceptance{i, sig}, err
}

// expectedX is ExpectedX(i) = Σ i^j·A_j (§4.4).
func expectedX(A []*ristretto.Point, i int) *ristretto.Point {
	var sum ristretto.Point
	sum.SetZero()
	pow := scalarFromInt(1)
	for _, a := range A {
		sum.Add(&sum, mul(pow, a))
		var next ristretto.Scalar
		pow = next.Mul(pow, scalarFromInt(i))
	}
	return &sum
}

// verifyConfig is VerifyConfig (§4.3): steps 1–3, and step 4 with minAcceptances.
func verifyConfig(f configFile, minAcceptances int) error {
	hash := configHash(f.body)
	if !ed25519Verify(f.cfg.dealer, dealerMessage(hash), f.dealerSig) {
		return verifyFailed("dealer signature does not verify")
	}
	for i := 1; i <= f.cfg.n; i++ {
		if !f.cfg.Xi[i-1].Equals(expectedX(f.cfg.A, i)) {
			return verifyFailed("verification share %d does not match the commitments", i)
		}
	}
	seen := map[int]bool{}
	for _, a := range f.acceptances {
		if seen[a.index] {
			return verifyFailed("acceptance %d appears twice", a.index)
		}
		seen[a.index] = true
		if !ed25519Verify(f.cfg.custodians[a.index-1].sign, acceptanceMessage(hash, a.index), a.sig) {
			return verifyFailed("acceptance %d does not verify", a.index)
		}
	}
	if len(f.acceptances) < minAcceptances {
		return verifyFailed("%d acceptances, %d required", len(f.acceptances), minAcceptances)
	}
	return nil
}

func shareAD(hash []byte, i int) []byte { return cat(hash, u16(i)) }

// openShare is §4.4 "Opening and verifying share i", steps 2–6.
func openShare(f configFile, i int, p *ristretto.Scalar, sealed []byte) (*ristretto.Scalar, error) {
	if i < 1 || i > f.cfg.n {
		panic("openShare: index outside 1..n") // step 1: the caller erred
	}
	if len(sealed) != 104 {
		return nil, malformed("sealed share of %d bytes", len(sealed))
	}
	Xi := f.cfg.Xi[i-1]
	if !Xi.Equals(expectedX(f.cfg.A, i)) {
		return nil, verifyFailed("verification share %d does not match", i)
	}
	m, err := openBox(p, "share", shareAD(configHash(f.body), i), sealed)
	if codeOf(err) == codeMalformed {
		return nil, err
	}
	const msg = "share does not open or does not match" // steps 4–6: one message
	if err != nil {
		return nil, verifyFailed(msg)
	}
	x, err := decodeScalar(m)
	if err != nil || isZeroScalar(x) || !baseMul(x).Equals(Xi) {
		return nil, verifyFailed(msg)
	}
	return x, nil
}

// ---- checkers -------------------------------------------------------------------

// checkCeremony replays a whole ceremony (§4.1–§4.4) from its recorded inputs
// and randomness and compares every intermediate and output.
func checkCeremony(c *check, o obj) {
	in, rnd, mid, out := o.obj("inputs"), o.obj("random"), o.obj("intermediate"), o.obj("outputs")
	k, n := in.int("k"), in.int("n")
	cfg := config{registryID: in.hex("registry_id"), name: in.str("name"), epoch: uint32(in.int("epoch")), k: k, n: n}
	c.code("name", validText(cfg.name), codeOK)
	cfg.dealer = ed25519Public(in.hex("dealer_seed"))
	c.eqHex("dealer_public", cfg.dealer, in.str("dealer_public"))

	var encSecrets []*ristretto.Scalar
	var signSeeds [][]byte
	for i, cu := range in.objs("custodians") {
		what := fmt.Sprintf("custodian %d", i+1)
		c.eqInt(what+" index", cu.int("index"), i+1)
		c.code(what+" label", validLabel(cu.str("label")), codeOK)
		p := mustScalar(cu.hex("enc_secret"))
		key := publicKey{cu.int("role"), cu.str("label"), ed25519Public(cu.hex("sign_seed")), baseMul(p).Bytes()}
		c.eqHex(what+" sign_public", key.sign, cu.str("sign_public"))
		c.eqHex(what+" enc_public", key.enc, cu.str("enc_public"))
		cfg.custodians = append(cfg.custodians, key)
		encSecrets = append(encSecrets, p)
		signSeeds = append(signSeeds, cu.hex("sign_seed"))
	}
	c.eqInt("custodian count", len(cfg.custodians), n)

	// §4.1 dealing.
	coeffs := rnd.hexList("coefficients")
	c.eqInt("coefficient count", len(coeffs), k)
	var a []*ristretto.Scalar
	for _, b := range coeffs {
		s := mustScalar(b)
		if isZeroScalar(s) {
			c.fail("a zero coefficient")
		}
		a = append(a, s)
		cfg.A = append(cfg.A, baseMul(s))
	}
	c.eqHex("x", a[0].Bytes(), mid.str("x"))
	cfg.X = cfg.A[0]
	c.eqHex("X", cfg.X.Bytes(), mid.str("X"))
	for j, A := range cfg.A {
		c.eqHex(fmt.Sprintf("A_%d", j), A.Bytes(), hexAt(mid.list("commitments"), j))
	}
	var shares []*ristretto.Scalar
	for i := 1; i <= n; i++ {
		x := horner(a, i)
		shares = append(shares, x)
		cfg.Xi = append(cfg.Xi, baseMul(x))
		c.eqHex(fmt.Sprintf("x_%d", i), x.Bytes(), hexAt(mid.list("shares"), i-1))
		c.eqHex(fmt.Sprintf("X_%d", i), cfg.Xi[i-1].Bytes(), hexAt(mid.list("verification_shares"), i-1))
	}

	// §4.2, §4.3 body, hash, dealer signature.
	body := encodeBody(cfg)
	c.eqHex("body", body, out.str("body"))
	if _, err := parseBody(body); err != nil {
		c.fail("own body does not parse: %v", err)
	}
	hash := configHash(body)
	c.eqHex("config_hash", hash, out.str("config_hash"))
	c.eqHex("dealer_signature_message", dealerMessage(hash), out.str("dealer_signature_message"))
	file := configFile{body: body, cfg: cfg, dealerSig: ed25519Sign(in.hex("dealer_seed"), dealerMessage(hash))}
	c.eqHex("dealer_signature", file.dealerSig, out.str("dealer_signature"))

	// §4.4 sealed shares, opened by each custodian.
	boxes, sealed := rnd.objs("boxes"), out.objs("sealed_shares")
	for i := 1; i <= n; i++ {
		what := fmt.Sprintf("sealed share %d", i)
		bx, ss := boxes[i-1], sealed[i-1]
		c.eqInt(what+" index", ss.int("index"), i)
		c.eqHex(what+" ad", shareAD(hash, i), ss.str("ad"))
		P := mustElement(cfg.custodians[i-1].enc)
		box := sealBox(P, "share", shareAD(hash, i), shares[i-1].Bytes(), mustScalar(bx.hex("ephemeral_scalar")), bx.hex("nonce"))
		c.eqHex(what, box, ss.str("box"))
	}

	// §4.3 acceptances, in index order.
	for i, ac := range out.objs("acceptances") {
		idx := i + 1
		msg := acceptanceMessage(hash, idx)
		c.eqHex(fmt.Sprintf("acceptance %d message", idx), msg, ac.str("message"))
		sig := ed25519Sign(signSeeds[idx-1], msg)
		c.eqHex(fmt.Sprintf("acceptance %d", idx), sig, ac.str("signature"))
		file.acceptances = append(file.acceptances, acceptance{idx, sig})
	}
	c.eqStr("config_file", encodeConfigFile(file), out.str("config_file"))

	// The published file verifies with all n acceptances, and every custodian
	// opens its own share from it.
	parsed, err := parseConfigFile(out.str("config_file"))
	c.code("parse config_file", err, codeOK)
	if err != nil {
		return
	}
	c.code("verify config_file", verifyConfig(parsed, n), codeOK)
	for i := 1; i <= n; i++ {
		x, err := openShare(parsed, i, encSecrets[i-1], mustHex(sealed[i-1].str("box")))
		c.code(fmt.Sprintf("open share %d", i), err, codeOK)
		if err == nil && !x.Equals(shares[i-1]) {
			c.fail("share %d opens to another value", i)
		}
	}
}

// horner evaluates f(i) as the reference does (§4.1).
func horner(a []*ristretto.Scalar, i int) *ristretto.Scalar {
	var acc ristretto.Scalar
	acc.Set(a[len(a)-1])
	for j := len(a) - 2; j >= 0; j-- {
		acc.MulAdd(&acc, scalarFromInt(i), a[j])
	}
	return &acc
}

func hexAt(l []interface{}, i int) string {
	if i >= len(l) {
		panic(fmt.Sprintf("list has no element %d", i))
	}
	return l[i].(string)
}

// checkCeremonyOperation runs the §4.7 operations parse_config_body,
// verify_config_file and open_share and compares the result with expect.
func checkCeremonyOperation(c *check, o obj) {
	want := o.str("expect")
	switch op := o.str("operation"); op {
	case "parse_config_body":
		if o.has("cases") {
			for _, cs := range o.objs("cases") {
				_, err := parseBody(cs.hex("body"))
				c.code(cs.str("defect"), err, want)
			}
			return
		}
		_, err := parseBody(o.hex("body"))
		c.code(op, err, want)
	case "verify_config_file":
		f, err := parseConfigFile(o.str("config_file"))
		if err == nil {
			err = verifyConfig(f, o.int("min_acceptances"))
			checkOutsiderAcceptance(c, o, f)
		}
		c.code(op, err, want)
	case "open_share":
		f, err := parseConfigFile(o.str("config_file"))
		c.code("parse config_file", err, codeOK)
		if err != nil {
			return
		}
		c.code("verify config_file (steps 1-3)", verifyConfig(f, 0), codeOK)
		p, sealed, i := mustScalar(o.hex("enc_secret")), o.hex("sealed_share"), o.int("index")
		_, err = openShare(f, i, p, sealed)
		c.code(op, err, want)
		if o.has("sealed_value") { // the box itself opens; only the value is wrong
			m, err := openBox(p, "share", shareAD(configHash(f.body), i), sealed)
			c.code("sealed_value box", err, codeOK)
			c.eqHex("sealed_value", m, o.str("sealed_value"))
		}
	default:
		c.fail("unknown operation %q", op)
	}
}

// checkOutsiderAcceptance confirms the vector's claim that an acceptance was
// made by outsider_sign_seed (a key not in the config).
func checkOutsiderAcceptance(c *check, o obj, f configFile) {
	if !o.has("outsider_sign_seed") {
		return
	}
	pub := ed25519Public(o.hex("outsider_sign_seed"))
	hash := configHash(f.body)
	for _, a := range f.acceptances {
		if ed25519Verify(pub, acceptanceMessage(hash, a.index), a.sig) {
			return
		}
	}
	c.fail("no acceptance is signed by outsider_sign_seed")
}
