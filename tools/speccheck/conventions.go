package main

// Spec §1: notation, primitives, the group ristretto255, errors.

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"

	"github.com/bwesterb/go-ristretto"
	"golang.org/x/crypto/blake2b"
	"golang.org/x/crypto/chacha20poly1305"
)

// ---- §1.5 errors -------------------------------------------------------------

const (
	codeOK           = "ok"
	codeMalformed    = "malformed"
	codeVerifyFailed = "verify_failed"
	codePolicyDenied = "policy_denied"
)

// specError carries one of the §1.5 codes and a message.
type specError struct {
	code string
	msg  string
}

func (e *specError) Error() string { return e.code + ": " + e.msg }

func malformed(format string, a ...interface{}) error {
	return &specError{codeMalformed, fmt.Sprintf(format, a...)}
}

func verifyFailed(format string, a ...interface{}) error {
	return &specError{codeVerifyFailed, fmt.Sprintf(format, a...)}
}

func policyDenied(format string, a ...interface{}) error {
	return &specError{codePolicyDenied, fmt.Sprintf(format, a...)}
}

// codeOf maps nil to "ok" and a specError to its code; anything else is a bug
// in this checker and is reported as such.
func codeOf(err error) string {
	if err == nil {
		return codeOK
	}
	var se *specError
	if errors.As(err, &se) {
		return se.code
	}
	return "internal error: " + err.Error()
}

// ---- §1.1 notation ------------------------------------------------------------

func u8(x int) []byte { return []byte{byte(x)} }

func u16(x int) []byte {
	var b [2]byte
	binary.BigEndian.PutUint16(b[:], uint16(x))
	return b[:]
}

func u32(x uint32) []byte {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], x)
	return b[:]
}

func u64(x uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], x)
	return b[:]
}

// lp is LP(x) = I2OSP(len(x), 2) ‖ x.
func lp(x []byte) []byte { return cat(u16(len(x)), x) }

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// decodeBase64 accepts only canonical RFC 4648 §4 base64 (§1.1): padding
// present, no whitespace or line breaks, unused bits zero.
func decodeBase64(s string) ([]byte, error) {
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || base64.StdEncoding.EncodeToString(b) != s {
		return nil, malformed("non-canonical base64")
	}
	return b, nil
}

// reader is a strict big-endian cursor for binary layouts (§1.1): every read
// past the end is "truncated", and done() rejects trailing bytes.
type reader struct {
	b   []byte
	err error
}

func (r *reader) take(n int) []byte {
	if r.err != nil {
		return make([]byte, n)
	}
	if n < 0 || len(r.b) < n {
		r.err = malformed("truncated")
		return make([]byte, n)
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) u8() int        { return int(r.take(1)[0]) }
func (r *reader) u16() int       { return int(binary.BigEndian.Uint16(r.take(2))) }
func (r *reader) u32() uint32    { return binary.BigEndian.Uint32(r.take(4)) }
func (r *reader) lp() []byte     { return r.take(r.u16()) }
func (r *reader) remaining() int { return len(r.b) }

func (r *reader) done() error {
	if r.err != nil {
		return r.err
	}
	if len(r.b) != 0 {
		return malformed("trailing bytes")
	}
	return nil
}

// ---- §1.2 primitives ----------------------------------------------------------

func blake2b256(parts ...[]byte) []byte {
	h := blake2b.Sum256(cat(parts...))
	return h[:]
}

func sha512sum(parts ...[]byte) []byte {
	h := sha512.Sum512(cat(parts...))
	return h[:]
}

// aeadSeal / aeadOpen are XChaCha20-Poly1305-IETF (§1.2).
func aeadSeal(key, nonce, ad, m []byte) []byte {
	a, err := chacha20poly1305.NewX(key)
	if err != nil {
		panic(err)
	}
	return a.Seal(nil, nonce, m, ad)
}

func aeadOpen(key, nonce, ad, ct []byte) ([]byte, bool) {
	a, err := chacha20poly1305.NewX(key)
	if err != nil {
		panic(err)
	}
	m, err := a.Open(nil, nonce, ct, ad)
	return m, err == nil
}

func ed25519Public(seed []byte) []byte {
	return ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
}

func ed25519Sign(seed, msg []byte) []byte {
	return ed25519.Sign(ed25519.NewKeyFromSeed(seed), msg)
}

// ed25519Verify is §1.2 Ed25519.Verify: fail if the signature is not 64 bytes,
// if S ≥ L, if R is on the §1.2 list of small-order encodings, if A is not
// canonical (y ≥ p) or is on that list, if A or R does not decode (RFC 8032
// §5.1.3 with a canonical y); otherwise accept iff [8]([S]B − R − [k]A) is the
// identity (the cofactored equation), k = SHA512(R ‖ A ‖ M) mod L. Written
// from the spec's text in math/big, without Go's crypto/ed25519, whose
// cofactorless rule refuses what step 7 accepts (key-signature-torsion-r.json).
func ed25519Verify(pub, msg, sig []byte) bool {
	if len(pub) != 32 || len(sig) != 64 {
		return false
	}
	if scalarToBig(sig[32:]).Cmp(scalarL) >= 0 || ed25519SmallOrderEncoding(sig[:32]) {
		return false
	}
	if !ed25519CanonicalY(pub) || ed25519SmallOrderEncoding(pub) {
		return false
	}
	a, ok := edDecode(pub)
	if !ok {
		return false
	}
	r, ok := edDecode(sig[:32])
	if !ok {
		return false
	}
	k := new(big.Int).Mod(scalarToBig(sha512sum(sig[:32], pub, msg)), scalarL)
	s := scalarToBig(sig[32:])
	e := edMul(edBase(), s).add(r.neg()).add(edMul(a, k).neg())
	return edMul(e, big.NewInt(8)).isIdentity()
}

// ed25519SmallOrderList is §1.2's list: the seven values y (the low 255 bits
// of an encoding, little-endian, top bit ignored) of the small-order points,
// with the non-canonical p and p+1.
var ed25519SmallOrderList = []string{
	"0000000000000000000000000000000000000000000000000000000000000000",
	"0100000000000000000000000000000000000000000000000000000000000000",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
}

// ed25519SmallOrderEncoding reports whether enc, with its top bit cleared,
// is on the §1.2 list.
func ed25519SmallOrderEncoding(enc []byte) bool {
	y := make([]byte, 32)
	copy(y, enc)
	y[31] &= 0x7f
	for _, h := range ed25519SmallOrderList {
		if equalBytes(y, mustHex(h)) {
			return true
		}
	}
	return false
}

// ed25519CanonicalY reports whether the low 255 bits of enc are below p.
func ed25519CanonicalY(enc []byte) bool {
	y := make([]byte, 32)
	copy(y, enc)
	y[31] &= 0x7f
	return new(big.Int).SetBytes(reverse(y)).Cmp(edP()) < 0
}

// ed25519ValidPoint mirrors libsodium crypto_core_ed25519_is_valid_point (§3.2):
// canonical y, on the curve, not of small order, in the prime-order subgroup.
// Written with math/big: clarity over speed.
func ed25519ValidPoint(enc []byte) bool {
	if len(enc) != 32 {
		return false
	}
	pt, ok := edDecode(enc)
	if !ok {
		return false
	}
	if edMul(pt, big.NewInt(8)).isIdentity() {
		return false // small order
	}
	return edMul(pt, scalarL).isIdentity()
}

// edDecode is RFC 8032 §5.1.3 decoding with a canonical y.
func edDecode(enc []byte) (edPoint, bool) {
	p := edP()
	yb := make([]byte, 32)
	copy(yb, enc)
	sign := yb[31] >> 7
	yb[31] &= 0x7f
	y := new(big.Int).SetBytes(reverse(yb))
	if y.Cmp(p) >= 0 {
		return edPoint{}, false
	}
	x, ok := edRecoverX(y, sign)
	if !ok {
		return edPoint{}, false
	}
	return edPoint{x, y, big.NewInt(1), new(big.Int).Mod(new(big.Int).Mul(x, y), p)}, true
}

// ---- §1.3 the group ristretto255 ---------------------------------------------

// scalarL is L = 2^252 + 27742317777372353535851937790883648493.
var scalarL, _ = new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)

func reverse(b []byte) []byte {
	out := make([]byte, len(b))
	for i := range b {
		out[len(b)-1-i] = b[i]
	}
	return out
}

func scalarToBig(b []byte) *big.Int { return new(big.Int).SetBytes(reverse(b)) }

func bigToScalarBytes(x *big.Int) []byte {
	x = new(big.Int).Mod(x, scalarL)
	b := x.FillBytes(make([]byte, 32))
	return reverse(b)
}

// decodeScalar rejects encodings of integers ≥ L (§1.3). Zero is allowed here;
// callers that need a secret scalar check non-zero themselves.
func decodeScalar(b []byte) (*ristretto.Scalar, error) {
	if len(b) != 32 {
		return nil, malformed("scalar of %d bytes", len(b))
	}
	if scalarToBig(b).Cmp(scalarL) >= 0 {
		return nil, malformed("non-canonical scalar")
	}
	var buf [32]byte
	copy(buf[:], b)
	var s ristretto.Scalar
	s.SetBytes(&buf)
	return &s, nil
}

// mustScalar decodes a scalar that a vector records (it must be canonical).
func mustScalar(b []byte) *ristretto.Scalar {
	s, err := decodeScalar(b)
	if err != nil {
		panic(fmt.Sprintf("vector scalar %x: %v", b, err))
	}
	return s
}

func scalarFromInt(i int) *ristretto.Scalar {
	var s ristretto.Scalar
	return s.SetUint64(uint64(i))
}

func isZeroScalar(s *ristretto.Scalar) bool { return s.IsNonZeroI() == 0 }

// reduceScalar is ReduceScalar(b): 64 bytes little-endian, reduced mod L.
func reduceScalar(b []byte) *ristretto.Scalar {
	if len(b) != 64 {
		panic("reduceScalar needs 64 bytes")
	}
	var buf [64]byte
	copy(buf[:], b)
	var s ristretto.Scalar
	return s.SetReduced(&buf)
}

// decodeElement is the strict decoding of §1.3: canonical RFC 9496 §4.3.1
// encoding and not the identity.
func decodeElement(b []byte) (*ristretto.Point, error) {
	if len(b) != 32 {
		return nil, malformed("element of %d bytes", len(b))
	}
	var buf [32]byte
	copy(buf[:], b)
	var p ristretto.Point
	if !p.SetBytes(&buf) {
		return nil, malformed("not a canonical ristretto255 encoding")
	}
	if isIdentity(&p) {
		return nil, malformed("identity element")
	}
	return &p, nil
}

func mustElement(b []byte) *ristretto.Point {
	p, err := decodeElement(b)
	if err != nil {
		panic(fmt.Sprintf("vector element %x: %v", b, err))
	}
	return p
}

func isIdentity(p *ristretto.Point) bool {
	var z ristretto.Point
	z.SetZero()
	return p.Equals(&z)
}

func baseMul(s *ristretto.Scalar) *ristretto.Point {
	var p ristretto.Point
	return p.ScalarMultBase(s)
}

func mul(s *ristretto.Scalar, q *ristretto.Point) *ristretto.Point {
	var p ristretto.Point
	return p.ScalarMult(q, s)
}

func add(a, b *ristretto.Point) *ristretto.Point {
	var p ristretto.Point
	return p.Add(a, b)
}

func basePoint() *ristretto.Point {
	var p ristretto.Point
	return p.SetBase()
}

// fromUniformBytes is RFC 9496 §4.3.4 element derivation from 64 bytes
// (libsodium crypto_core_ristretto255_from_hash): MAP(b[0:32]) + MAP(b[32:64]).
func fromUniformBytes(b []byte) *ristretto.Point {
	var h1, h2 [32]byte
	copy(h1[:], b[:32])
	copy(h2[:], b[32:64])
	var p1, p2 ristretto.Point
	p1.SetElligator(&h1)
	p2.SetElligator(&h2)
	return add(&p1, &p2)
}

// expandMessageXMD is RFC 9380 §5.3.1 with SHA-512.
func expandMessageXMD(msg, dst []byte, lenInBytes int) []byte {
	const bInBytes, sInBytes = 64, 128
	if len(dst) > 255 {
		dst = sha512sum([]byte("H2C-OVERSIZE-DST-"), dst)
	}
	ell := (lenInBytes + bInBytes - 1) / bInBytes
	dstPrime := cat(dst, []byte{byte(len(dst))})
	zPad := make([]byte, sInBytes)
	b0 := sha512sum(zPad, msg, u16(lenInBytes), []byte{0}, dstPrime)
	bi := sha512sum(b0, []byte{1}, dstPrime)
	out := append([]byte{}, bi...)
	for i := 2; i <= ell; i++ {
		x := make([]byte, bInBytes)
		for j := range x {
			x[j] = b0[j] ^ bi[j]
		}
		bi = sha512sum(x, []byte{byte(i)}, dstPrime)
		out = append(out, bi...)
	}
	return out[:lenInBytes]
}

// hashToScalar is HashToScalar(x, DST) of §1.3 (RFC 9497 §4.1, ristretto255).
func hashToScalar(x, dst []byte) *ristretto.Scalar {
	return reduceScalar(expandMessageXMD(x, dst, 64))
}

// ---- edwards25519 in math/big (only for §3.2's public key check) -------------

type edPoint struct{ x, y, z, t *big.Int }

func edP() *big.Int {
	p := new(big.Int).Lsh(big.NewInt(1), 255)
	return p.Sub(p, big.NewInt(19))
}

func edD() *big.Int {
	p := edP()
	d := new(big.Int).Mul(big.NewInt(-121665), new(big.Int).ModInverse(big.NewInt(121666), p))
	return d.Mod(d, p)
}

// edRecoverX is RFC 8032 §5.1.3 steps 2-4.
func edRecoverX(y *big.Int, sign byte) (*big.Int, bool) {
	p, d := edP(), edD()
	y2 := new(big.Int).Mul(y, y)
	u := new(big.Int).Sub(y2, big.NewInt(1))
	v := new(big.Int).Add(new(big.Int).Mul(d, y2), big.NewInt(1))
	x2 := new(big.Int).Mul(u, new(big.Int).ModInverse(v.Mod(v, p), p))
	x2.Mod(x2, p)
	if x2.Sign() == 0 {
		if sign == 1 {
			return nil, false
		}
		return new(big.Int), true
	}
	x := new(big.Int).ModSqrt(x2, p)
	if x == nil {
		return nil, false
	}
	if x.Bit(0) != uint(sign) {
		x.Sub(p, x)
	}
	return x, true
}

func (a edPoint) add(b edPoint) edPoint {
	p, d := edP(), edD()
	m := func(x, y *big.Int) *big.Int { r := new(big.Int).Mul(x, y); return r.Mod(r, p) }
	A := m(new(big.Int).Sub(a.y, a.x), new(big.Int).Sub(b.y, b.x))
	B := m(new(big.Int).Add(a.y, a.x), new(big.Int).Add(b.y, b.x))
	C := m(m(big.NewInt(2), d), m(a.t, b.t))
	D := m(big.NewInt(2), m(a.z, b.z))
	E, F := new(big.Int).Sub(B, A), new(big.Int).Sub(D, C)
	G, H := new(big.Int).Add(D, C), new(big.Int).Add(B, A)
	return edPoint{m(E, F), m(G, H), m(F, G), m(E, H)}
}

func (a edPoint) isIdentity() bool {
	p := edP()
	x := new(big.Int).Mod(a.x, p)
	yz := new(big.Int).Mod(new(big.Int).Sub(a.y, a.z), p)
	return x.Sign() == 0 && yz.Sign() == 0
}

func (a edPoint) neg() edPoint {
	return edPoint{new(big.Int).Neg(a.x), a.y, a.z, new(big.Int).Neg(a.t)}
}

// edBase is the Ed25519 base point B (RFC 8032 §5.1: y = 4/5, x positive).
func edBase() edPoint {
	b, ok := edDecode(mustHex("5866666666666666666666666666666666666666666666666666666666666666"))
	if !ok {
		panic("the base point does not decode")
	}
	return b
}

func edMul(a edPoint, k *big.Int) edPoint {
	r := edPoint{big.NewInt(0), big.NewInt(1), big.NewInt(1), big.NewInt(0)}
	for i := k.BitLen() - 1; i >= 0; i-- {
		r = r.add(r)
		if k.Bit(i) == 1 {
			r = r.add(a)
		}
	}
	return r
}

func equalBytes(a, b []byte) bool { return bytes.Equal(a, b) }

func sha256sum(parts ...[]byte) []byte {
	h := sha256.Sum256(cat(parts...))
	return h[:]
}
