package main

// Spec §6: threshold release — DLEQ proofs (RFC 9497 §2.2.1), partial
// decryptions, sealing partials to the official, Lagrange combination and
// failure reporting, and the drill.

import (
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/bwesterb/go-ristretto"
)

// ---- §6.1 DLEQ -----------------------------------------------------------------

// composites is RFC 9497 ComputeComposites: M and Z for public key Y.
func composites(ctx []byte, Y *ristretto.Point, C, D []*ristretto.Point) (*ristretto.Point, *ristretto.Point) {
	seed := sha512sum(lp(Y.Bytes()), lp(cat([]byte("Seed-"), ctx)))
	var M, Z ristretto.Point
	M.SetZero()
	Z.SetZero()
	for i := range C {
		d := hashToScalar(cat(lp(seed), u16(i), lp(C[i].Bytes()), lp(D[i].Bytes()), []byte("Composite")),
			cat([]byte("HashToScalar-"), ctx))
		M.Add(&M, mul(d, C[i]))
		Z.Add(&Z, mul(d, D[i]))
	}
	return &M, &Z
}

func challenge(ctx []byte, Y, M, Z, t2, t3 *ristretto.Point) *ristretto.Scalar {
	return hashToScalar(cat(lp(Y.Bytes()), lp(M.Bytes()), lp(Z.Bytes()), lp(t2.Bytes()), lp(t3.Bytes()), []byte("Challenge")),
		cat([]byte("HashToScalar-"), ctx))
}

// generateProof is GenerateProof(k, A, Y, C, D) with the recorded random r.
func generateProof(ctx []byte, k *ristretto.Scalar, A, Y *ristretto.Point, C, D []*ristretto.Point, r *ristretto.Scalar) []byte {
	M, Z := composites(ctx, Y, C, D)
	c := challenge(ctx, Y, M, Z, mul(r, A), mul(r, M))
	var s ristretto.Scalar
	s.MulSub(c, k, r) // s = r − c·k
	s.Neg(&s)
	return cat(c.Bytes(), s.Bytes())
}

// parseProof rejects a proof that is not 64 bytes or has a non-canonical scalar.
func parseProof(proof []byte) (*ristretto.Scalar, *ristretto.Scalar, error) {
	if len(proof) != 64 {
		return nil, nil, malformed("proof of %d bytes", len(proof))
	}
	c, err := decodeScalar(proof[:32])
	if err != nil {
		return nil, nil, err
	}
	s, err := decodeScalar(proof[32:])
	if err != nil {
		return nil, nil, err
	}
	return c, s, nil
}

// verifyProof is VerifyProof(A, Y, C, D, proof).
func verifyProof(ctx []byte, A, Y *ristretto.Point, C, D []*ristretto.Point, proof []byte) error {
	c, s, err := parseProof(proof)
	if err != nil {
		return err
	}
	M, Z := composites(ctx, Y, C, D)
	t2 := add(mul(s, A), mul(c, Y))
	t3 := add(mul(s, M), mul(c, Z))
	if !challenge(ctx, Y, M, Z, t2, t3).Equals(c) {
		return verifyFailed("proof does not verify")
	}
	return nil
}

// ---- §6.2 partials ---------------------------------------------------------------

func recordsDigest(recordIDs [][]byte) []byte {
	return blake2b256(lp([]byte("amanah/v1/release-records")), u32(uint32(len(recordIDs))), cat(recordIDs...))
}

func partialContext(registryID, releaseID []byte, i int, digest []byte) []byte {
	return cat([]byte("Amanah-v1-Partial-"), registryID, releaseID, u16(i), digest)
}

type partial struct {
	index int
	D     []*ristretto.Point
	proof []byte
}

func encodePartial(p partial) []byte {
	out := cat(u16(p.index), u32(uint32(len(p.D))))
	for _, d := range p.D {
		out = cat(out, d.Bytes())
	}
	return cat(out, p.proof)
}

// parsePartial is the §6.2 parser.
func parsePartial(b []byte) (partial, error) {
	var p partial
	r := &reader{b: b}
	p.index = r.u16()
	m := int(r.u32())
	if r.err != nil {
		return p, r.err
	}
	if p.index == 0 {
		return p, malformed("partial index 0")
	}
	if m < 1 || m > 65536 {
		return p, malformed("partial m = %d", m)
	}
	if len(b) != 6+32*m+64 {
		return p, malformed("partial of %d bytes for m = %d", len(b), m)
	}
	for j := 0; j < m; j++ {
		d, err := decodeElement(r.take(32))
		if err != nil {
			return p, err
		}
		p.D = append(p.D, d)
	}
	p.proof = r.take(64)
	if _, _, err := parseProof(p.proof); err != nil {
		return p, err
	}
	return p, r.done()
}

func partialBoxAD(registryID, releaseID []byte, i int) []byte {
	return cat(registryID, releaseID, u16(i))
}

// ---- §6.5 opening ----------------------------------------------------------------

type release struct {
	registryID, releaseID []byte
	X                     *ristretto.Point
	k                     int
	Xi                    map[int]*ristretto.Point
	records               []sealedRecord
	official              *ristretto.Scalar
}

type relayed struct {
	index int
	box   []byte
}

type outcome struct {
	combined []int
	failed   []int
	lambdas  map[int]*big.Int
	payloads [][]byte
}

// checkPartial is §6.5 step 1 for one relayed partial.
func (rl release) checkPartial(rp relayed) (partial, error) {
	Xi, ok := rl.Xi[rp.index]
	if !ok {
		return partial{}, verifyFailed("not a custodian")
	}
	m, err := openBox(rl.official, "partial", partialBoxAD(rl.registryID, rl.releaseID, rp.index), rp.box)
	if err != nil {
		return partial{}, err
	}
	p, err := parsePartial(m)
	if err != nil {
		return p, err
	}
	if p.index != rp.index || len(p.D) != len(rl.records) {
		return p, verifyFailed("partial index or record count differs")
	}
	var ids [][]byte
	var C []*ristretto.Point
	for _, s := range rl.records {
		ids = append(ids, s.recordID)
		C = append(C, s.C1)
	}
	ctx := partialContext(rl.registryID, rl.releaseID, rp.index, recordsDigest(ids))
	return p, verifyProof(ctx, basePoint(), Xi, C, p.D, p.proof)
}

// lagrange is λ_i = Π_{j∈T, j≠i} j·(j−i)^(−1) mod L.
func lagrange(T []int, i int) *big.Int {
	l := big.NewInt(1)
	for _, j := range T {
		if j == i {
			continue
		}
		den := new(big.Int).Mod(big.NewInt(int64(j-i)), scalarL)
		l.Mul(l, big.NewInt(int64(j)))
		l.Mul(l, new(big.Int).ModInverse(den, scalarL))
		l.Mod(l, scalarL)
	}
	return l
}

// open is §6.5 steps 1–5; errs holds each relayed partial's own result.
func (rl release) open(relays []relayed) (outcome, []error, error) {
	var out outcome
	valid := map[int]partial{}
	tried := map[int]bool{}
	var errs []error
	for _, rp := range relays {
		p, err := rl.checkPartial(rp)
		errs = append(errs, err)
		tried[rp.index] = true
		if err == nil {
			if _, dup := valid[rp.index]; !dup {
				valid[rp.index] = p
			}
		}
	}
	for i := range tried {
		if _, ok := valid[i]; !ok {
			out.failed = append(out.failed, i)
		}
	}
	sort.Ints(out.failed)
	if len(valid) < rl.k {
		return out, errs, policyDenied("%s", releaseMessage(len(valid), rl.k, out.failed))
	}
	for i := range valid {
		out.combined = append(out.combined, i)
	}
	sort.Ints(out.combined)
	out.combined = out.combined[:rl.k]
	out.lambdas = map[int]*big.Int{}
	for _, i := range out.combined {
		out.lambdas[i] = lagrange(out.combined, i)
	}
	for j, rec := range rl.records {
		var S ristretto.Point
		S.SetZero()
		for _, i := range out.combined {
			S.Add(&S, mul(mustScalar(bigToScalarBytes(out.lambdas[i])), valid[i].D[j]))
		}
		m, err := openRecord(rl.registryID, rl.X, rec, &S)
		if err != nil {
			return out, errs, verifyFailed("record %d of %d in the release does not decrypt", j+1, len(rl.records))
		}
		out.payloads = append(out.payloads, m)
	}
	return out, errs, nil
}

// releaseMessage is the policy_denied message template of §6.5 step 3: the
// noun stays "partials" for every count; "custodian" for one failed index,
// "custodians" and ", " between indices for more.
func releaseMessage(valid, k int, failed []int) string {
	msg := fmt.Sprintf("%d valid partials, %d needed", valid, k)
	if len(failed) == 0 {
		return msg
	}
	var ids []string
	for _, i := range failed {
		ids = append(ids, fmt.Sprint(i))
	}
	noun := "custodian"
	if len(failed) > 1 {
		noun = "custodians"
	}
	return msg + "; partials that do not verify: " + noun + " " + strings.Join(ids, ", ")
}

// ---- checkers ----------------------------------------------------------------------

func points(l [][]byte) []*ristretto.Point {
	var out []*ristretto.Point
	for _, b := range l {
		out = append(out, mustElement(b))
	}
	return out
}

func pointsHex(c *check, what string, got []*ristretto.Point, want [][]byte) {
	if len(got) != len(want) {
		c.fail("%s: %d elements, want %d", what, len(got), len(want))
		return
	}
	for i := range got {
		c.eqHex(fmt.Sprintf("%s[%d]", what, i), got[i].Bytes(), fmt.Sprintf("%x", want[i]))
	}
}

// checkDLEQ: dleq-*.json (§6.1 with a partial's contextString).
func checkDLEQ(c *check, o obj) {
	ids := o.hexList("record_ids")
	digest := recordsDigest(ids)
	c.eqHex("records_digest", digest, o.str("records_digest"))
	ctx := partialContext(o.hex("registry_id"), o.hex("release_id"), o.int("custodian_index"), digest)
	c.eqHex("context_string", ctx, o.str("context_string"))
	c.eqHex("hash_to_scalar_dst", cat([]byte("HashToScalar-"), ctx), o.str("hash_to_scalar_dst"))
	c.eqHex("seed_dst", cat([]byte("Seed-"), ctx), o.str("seed_dst"))
	k := mustScalar(o.hex("k"))
	A := basePoint()
	c.eqHex("A (base point)", A.Bytes(), o.str("A"))
	Y := mul(k, A)
	c.eqHex("B (= k·A)", Y.Bytes(), o.str("B"))
	C := points(o.hexList("C"))
	var D []*ristretto.Point
	for _, ci := range C {
		D = append(D, mul(k, ci))
	}
	pointsHex(c, "D", D, o.hexList("D"))
	r := reduceScalar(o.hex("proof_random_bytes"))
	c.eqHex("proof_random_scalar", r.Bytes(), o.str("proof_random_scalar"))
	honest := generateProof(ctx, k, A, Y, C, D, r)
	c.eqHex("honest_proof", honest, o.str("honest_proof"))
	c.code("honest proof", verifyProof(ctx, A, Y, C, D, honest), codeOK)
	c.code("proof", verifyProof(ctx, A, mustElement(o.hex("B")), C, points(o.hexList("D")), o.hex("proof")), o.str("expect"))
}

// checkRelease: release-*.json — the registry, the records, every partial and
// its box, and the official's §6.5 outcome.
func checkRelease(c *check, o obj) {
	regID, relID := o.hex("registry_id"), o.hex("release_id")
	coeffs := o.hexList("polynomial_coefficients")
	k := o.int("threshold")
	c.eqInt("polynomial degree + 1", len(coeffs), k)
	var a []*ristretto.Scalar
	for _, b := range coeffs {
		a = append(a, mustScalar(b))
	}
	c.eqHex("registry_secret_x", a[0].Bytes(), o.str("registry_secret_x"))
	X := baseMul(a[0])
	c.eqHex("X", X.Bytes(), o.str("X"))
	shares := map[int]*ristretto.Scalar{}
	rl := release{registryID: regID, releaseID: relID, X: X, k: k, Xi: map[int]*ristretto.Point{}}
	for _, cu := range o.objs("custodians") {
		i := cu.int("index")
		shares[i] = horner(a, i)
		rl.Xi[i] = baseMul(shares[i])
		c.eqHex(fmt.Sprintf("x_%d", i), shares[i].Bytes(), cu.str("share"))
		c.eqHex(fmt.Sprintf("X_%d", i), rl.Xi[i].Bytes(), cu.str("X_i"))
	}
	rl.official = mustScalar(o.hex("official_enc_secret"))
	official := baseMul(rl.official)
	c.eqHex("official_enc_public", official.Bytes(), o.str("official_enc_public"))

	var ids [][]byte
	for j, rec := range o.objs("records") {
		s := checkReleaseRecord(c, fmt.Sprintf("record %d", j+1), regID, X, rec)
		rl.records = append(rl.records, s)
		ids = append(ids, s.recordID)
	}
	c.eqHex("records_digest", recordsDigest(ids), o.str("records_digest"))

	var relays []relayed
	var partialExpect []string
	for _, po := range o.objs("partials") {
		relays = append(relays, checkReleasePartial(c, rl, shares, official, po))
		partialExpect = append(partialExpect, po.str("expect"))
	}
	out, errs, err := rl.open(relays)
	broken := ""
	for n, e := range errs {
		c.code(fmt.Sprintf("partial %d", relays[n].index), e, partialExpect[n])
		if partialExpect[n] != codeOK {
			broken = partialExpect[n]
		}
	}
	// The file's expect is the broken partial's result, else the outcome's code (§6.7).
	if broken == "" {
		broken = codeOf(err)
	}
	c.eqStr("file expect", o.str("expect"), broken)
	checkOutcome(c, o.obj("outcome"), out, err)
}

func checkReleaseRecord(c *check, what string, regID []byte, X *ristretto.Point, rec obj) sealedRecord {
	r := reduceScalar(rec.hex("r_random_bytes"))
	c.eqHex(what+" r", r.Bytes(), rec.str("r"))
	S, K, s := sealRecord(regID, rec.hex("record_id"), X, rec.hex("payload"), r, rec.hex("nonce"))
	c.eqHex(what+" C1", s.C1.Bytes(), rec.str("C1"))
	c.eqHex(what+" S", S.Bytes(), rec.str("S"))
	c.eqHex(what+" K", K, rec.str("K"))
	c.eqHex(what+" ad", recordAD(regID, s.recordID), rec.str("ad"))
	c.eqHex(what+" ciphertext", s.ct, rec.str("ciphertext"))
	c.eqHex(what+" sealed_record", encodeSealedRecord(s), rec.str("sealed_record"))
	parsed, err := parseSealedRecord(rec.hex("sealed_record"))
	c.code(what+" parses", err, codeOK)
	return parsed
}

// checkReleasePartial recomputes the honest partial (for the release id it
// was made for) and the box around the relayed bytes.
func checkReleasePartial(c *check, rl release, shares map[int]*ristretto.Scalar, official *ristretto.Point, po obj) relayed {
	i := po.int("index")
	what := fmt.Sprintf("partial %d", i)
	madeFor := rl.releaseID
	if po.has("made_for_release_id") {
		madeFor = po.hex("made_for_release_id")
	}
	var ids [][]byte
	var C []*ristretto.Point
	for _, s := range rl.records {
		ids = append(ids, s.recordID)
		C = append(C, s.C1)
	}
	ctx := partialContext(rl.registryID, madeFor, i, recordsDigest(ids))
	c.eqHex(what+" context_string", ctx, po.str("context_string"))
	x := shares[i]
	var D []*ristretto.Point
	for _, c1 := range C {
		D = append(D, mul(x, c1))
	}
	pointsHex(c, what+" D", D, po.hexList("D"))
	r := reduceScalar(po.hex("proof_random_bytes"))
	c.eqHex(what+" proof_random_scalar", r.Bytes(), po.str("proof_random_scalar"))
	proof := generateProof(ctx, x, basePoint(), rl.Xi[i], C, D, r)
	c.eqHex(what+" proof", proof, po.str("proof"))
	honest := encodePartial(partial{i, D, proof})
	c.eqHex(what+" honest_partial", honest, po.str("honest_partial"))
	if !po.has("tampering") || po.has("made_for_release_id") {
		c.eqHex(what+" partial (untampered)", honest, po.str("partial"))
	}
	ad := partialBoxAD(rl.registryID, rl.releaseID, i)
	c.eqHex(what+" box_ad", ad, po.str("box_ad"))
	e := reduceScalar(po.hex("box_ephemeral_random_bytes"))
	c.eqHex(what+" box_ephemeral_scalar", e.Bytes(), po.str("box_ephemeral_scalar"))
	box := sealBox(official, "partial", ad, po.hex("partial"), e, po.hex("box_nonce"))
	c.eqHex(what+" box", box, po.str("box"))
	return relayed{i, po.hex("box")}
}

func checkOutcome(c *check, want obj, got outcome, err error) {
	c.code("outcome", err, want.str("code"))
	if want.has("message") {
		msg := ""
		if err != nil {
			msg = err.(*specError).msg
		}
		c.eqStr("outcome message", msg, want.str("message"))
	}
	if !want.has("combined") {
		return
	}
	c.eqStr("combined", fmt.Sprint(got.combined), fmt.Sprint(want.intList("combined")))
	c.eqStr("failed_custodians", fmt.Sprint(got.failed), fmt.Sprint(want.intList("failed_custodians")))
	for _, l := range want.objs("lagrange") {
		i := l.int("index")
		if lam, ok := got.lambdas[i]; ok {
			c.eqHex(fmt.Sprintf("lambda_%d", i), bigToScalarBytes(lam), l.str("lambda"))
		} else {
			c.fail("lambda_%d not computed", i)
		}
	}
	pl := want.hexList("payloads")
	c.eqInt("payload count", len(got.payloads), len(pl))
	for j := range pl {
		if j < len(got.payloads) {
			c.eqHex(fmt.Sprintf("payload %d", j+1), got.payloads[j], fmt.Sprintf("%x", pl[j]))
		}
	}
}

// ---- §6.6 drill ----------------------------------------------------------------------

func drillPointInput(registryID, challenge []byte) []byte {
	return cat(lp([]byte("amanah/v1/drill")), registryID, lp(challenge))
}

func drillContext(registryID []byte, i int, challenge []byte) []byte {
	return cat([]byte("Amanah-v1-Drill-"), registryID, u16(i), blake2b256(challenge))
}

// verifyDrill parses a response strictly and verifies it against X_i.
func verifyDrill(registryID []byte, i int, Xi *ristretto.Point, challenge, response []byte) error {
	if len(response) != 2+32+64 {
		return malformed("response of %d bytes", len(response))
	}
	r := &reader{b: response}
	index := r.u16()
	if index == 0 { // §6.6: index 0 is malformed, an index ≠ i is verify_failed
		return malformed("drill response index 0")
	}
	D, err := decodeElement(r.take(32))
	if err != nil {
		return err
	}
	proof := r.take(64)
	if _, _, err := parseProof(proof); err != nil {
		return err
	}
	if index != i {
		return verifyFailed("drill index")
	}
	P := fromUniformBytes(sha512sum(drillPointInput(registryID, challenge)))
	return verifyProof(drillContext(registryID, i, challenge), basePoint(), Xi, []*ristretto.Point{P}, []*ristretto.Point{D}, proof)
}

func checkDrill(c *check, o obj) {
	regID, i, ch := o.hex("registry_id"), o.int("custodian_index"), o.hex("challenge")
	if len(ch) < 16 || len(ch) > 1024 {
		c.fail("challenge of %d bytes", len(ch))
	}
	in := drillPointInput(regID, ch)
	c.eqHex("drill_point_input", in, o.str("drill_point_input"))
	P := fromUniformBytes(sha512sum(in))
	c.eqHex("P", P.Bytes(), o.str("P"))
	ctx := drillContext(regID, i, ch)
	c.eqHex("context_string", ctx, o.str("context_string"))
	x := mustScalar(o.hex("share_used"))
	D := mul(x, P)
	c.eqHex("D", D.Bytes(), o.str("D"))
	r := reduceScalar(o.hex("proof_random_bytes"))
	c.eqHex("proof_random_scalar", r.Bytes(), o.str("proof_random_scalar"))
	proof := generateProof(ctx, x, basePoint(), baseMul(x), []*ristretto.Point{P}, []*ristretto.Point{D}, r)
	c.eqHex("proof", proof, o.str("proof"))
	c.eqHex("response", cat(u16(i), D.Bytes(), proof), o.str("response"))
	Xi := mustElement(o.hex("X_i"))
	c.code("verify against X_i", verifyDrill(regID, i, Xi, ch, o.hex("response")), o.str("expect"))
}
