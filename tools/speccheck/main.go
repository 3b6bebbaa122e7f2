// Command speccheck is a second, independent implementation of spec §1–§6 and
// §9 (docs/spec.md) that recomputes every value in the test vectors of those
// sections (docs/vectors/{pseudonym,key,ceremony,seal,dleq,release,drill,entry}-*.json)
// and checks that every negative case fails with the expected code.
//
// It was written from docs/spec.md, the vectors and the cited RFCs only.
// Where the spec did not suffice, see FINDINGS.md.
//
// Usage: speccheck <vector dir>
package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// checkers maps every vector file this program knows to its checker. A file
// with a covered prefix that is not listed here fails, so that a new vector
// file cannot slip past unchecked.
var checkers = map[string]func(*check, obj){
	// §2
	"pseudonym-example.json":      checkPseudonymSingle,
	"pseudonym-qr.json":           checkPseudonymQR,
	"pseudonym-generate.json":     checkPseudonymGenerate,
	"pseudonym-values.json":       checkPseudonymValues,
	"pseudonym-aliases.json":      checkPseudonymAliases,
	"pseudonym-bad-check.json":    checkPseudonymBadCheck,
	"pseudonym-malformed.json":    checkPseudonymMalformed,
	"pseudonym-qr-malformed.json": checkPseudonymQRMalformed,
	// §3
	"key-generate.json":                     checkKeyGenerate,
	"key-fingerprint.json":                  checkKeyFingerprint,
	"key-public-file.json":                  checkPublicFile,
	"key-public-file-line-endings.json":     checkPublicFileVariants,
	"key-public-file-bad-base64.json":       checkPublicFileBad,
	"key-public-file-bad-enc.json":          checkPublicFileBad,
	"key-public-file-bad-fingerprint.json":  checkPublicFileBad,
	"key-public-file-bad-label.json":        checkPublicFileBad,
	"key-public-file-bad-sign.json":         checkPublicFileBad,
	"key-public-file-bad-structure.json":    checkPublicFileBad,
	"key-secret-file.json":                  checkSecretFile,
	"key-secret-file-line-endings.json":     checkSecretFileVariants,
	"key-secret-file-wrong-passphrase.json": checkSecretFileBadSingle,
	"key-secret-file-flipped-byte.json":     checkSecretFileFlipped,
	"key-secret-file-bad-scalar.json":       checkSecretFileBadScalar,
	"key-secret-file-truncated.json":        checkSecretFileBad,
	"key-secret-file-bad-kdf-params.json":   checkSecretFileBad,
	"key-secret-file-bad-armour.json":       checkSecretFileBad,
	"key-signature.json":                    checkSignature,
	"key-signature-bad.json":                checkSignatureCases,
	"key-signature-torsion-r.json":          checkSignatureCases,
	// §4
	"ceremony-2-of-2.json":                          checkCeremony,
	"ceremony-3-of-5.json":                          checkCeremony,
	"ceremony-acceptance-duplicate.json":            checkCeremonyOperation,
	"ceremony-acceptance-not-custodian.json":        checkCeremonyOperation,
	"ceremony-armour-crlf.json":                     checkCeremonyOperation,
	"ceremony-armour-index-out-of-range.json":       checkCeremonyOperation,
	"ceremony-bad-dealer-signature.json":            checkCeremonyOperation,
	"ceremony-config-bad-label.json":                checkCeremonyOperation,
	"ceremony-config-bad-sign-key.json":             checkCeremonyOperation,
	"ceremony-config-duplicate-custodian.json":      checkCeremonyOperation,
	"ceremony-config-k-exceeds-n.json":              checkCeremonyOperation,
	"ceremony-config-noncanonical-element.json":     checkCeremonyOperation,
	"ceremony-config-not-custodian-role.json":       checkCeremonyOperation,
	"ceremony-config-trailing-bytes.json":           checkCeremonyOperation,
	"ceremony-config-truncated.json":                checkCeremonyOperation,
	"ceremony-config-unknown-version.json":          checkCeremonyOperation,
	"ceremony-inconsistent-verification-share.json": checkCeremonyOperation,
	"ceremony-share-not-matching.json":              checkCeremonyOperation,
	"ceremony-share-tampered.json":                  checkCeremonyOperation,
	"ceremony-share-wrong-index.json":               checkCeremonyOperation,
	"ceremony-share-wrong-recipient.json":           checkCeremonyOperation,
	"ceremony-tampered-commitment.json":             checkCeremonyOperation,
	"ceremony-too-few-acceptances.json":             checkCeremonyOperation,
	// §5
	"seal-record.json":               checkSeal,
	"seal-attributes-unsorted.json":  checkSeal,
	"seal-tampered-ciphertext.json":  checkSeal,
	"seal-altered-attributes.json":   checkSeal,
	"seal-record-trailing-byte.json": checkSeal,
	// §6
	"dleq-partial-single.json":               checkDLEQ,
	"dleq-partial-batch.json":                checkDLEQ,
	"dleq-modified-challenge.json":           checkDLEQ,
	"dleq-truncated-proof.json":              checkDLEQ,
	"release-3-of-5.json":                    checkRelease,
	"release-single-record.json":             checkRelease,
	"release-bad-proof.json":                 checkRelease,
	"release-bad-proof-spare-partial.json":   checkRelease,
	"release-too-few-partials.json":          checkRelease,
	"release-wrong-release-id.json":          checkRelease,
	"release-noncanonical-proof-scalar.json": checkRelease,
	"drill-valid.json":                       checkDrill,
	"drill-wrong-share.json":                 checkDrill,
	// §9
	"entry-enrol.json":                      checkEntry,
	"entry-plan.json":                       checkEntry,
	"entry-approve.json":                    checkEntry,
	"entry-bad-signature.json":              checkEntryBadSignature,
	"entry-trailing-byte.json":              checkEntryTrailingByte,
	"entry-unknown-type.json":               checkEntryUnknownType,
	"entry-unsorted-fields.json":            checkEntryUnsortedFields,
	"entry-attest-suspend-expires.json":     checkEntryAttestSuspendExpires,
	"entry-key-bad-fingerprint.json":        checkEntryKeyBadFingerprint,
	"entry-init-wrong-operator.json":        checkEntryInitWrongOperator,
	"entry-enrol-bad-record-signature.json": checkEntryEnrolBadRecordSignature,
	// §10
	"http-signature-get.json":           checkHTTPValid,
	"http-signature-post.json":          checkHTTPValid,
	"http-signature-malformed.json":     checkHTTPCases,
	"http-signature-verify-failed.json": checkHTTPCases,
	"http-content-digest.json":          checkHTTPDigest,
	"http-rfc9421-b26.json":             checkHTTPRfc9421,
}

// coveredPrefixes are the areas this program owns; log-* (§7) is checked by
// tools/gocheck.
var coveredPrefixes = []string{"pseudonym-", "key-", "ceremony-", "seal-", "dleq-", "release-", "drill-", "entry-", "http-"}

const skippedPrefix = "log-"

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: speccheck <vector dir>")
		os.Exit(2)
	}
	passed, failed := 0, 0
	if err := selfTest(); err != nil {
		fmt.Printf("FAIL selftest: %v\n", err)
		failed++
	}
	paths, err := filepath.Glob(filepath.Join(os.Args[1], "*.json"))
	if err != nil || len(paths) == 0 {
		fmt.Printf("FAIL %s: no vector files\n", os.Args[1])
		os.Exit(1)
	}
	sort.Strings(paths)
	for _, path := range paths {
		name := filepath.Base(path)
		if strings.HasPrefix(name, skippedPrefix) {
			continue
		}
		if diffs := runFile(path, name); len(diffs) > 0 {
			fmt.Printf("FAIL %s: %s\n", name, strings.Join(diffs, "; "))
			failed++
		} else {
			fmt.Printf("ok %s\n", name)
			passed++
		}
	}
	fmt.Printf("speccheck: %d passed, %d failed\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}

// runFile checks one file; a panic (a missing key, a bad hex string) is a
// failure of that file, not of the program.
func runFile(path, name string) (diffs []string) {
	fn, known := checkers[name]
	if !known {
		for _, p := range coveredPrefixes {
			if strings.HasPrefix(name, p) {
				return []string{"no checker for this file (add one to tools/speccheck)"}
			}
		}
		return []string{"unknown vector area (not covered by speccheck or tools/gocheck)"}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return []string{err.Error()}
	}
	var v map[string]interface{}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return []string{"bad JSON: " + err.Error()}
	}
	c := &check{}
	defer func() {
		if r := recover(); r != nil {
			diffs = append(c.diffs, fmt.Sprint("cannot check: ", r))
		}
	}()
	fn(c, obj(v))
	return c.diffs
}

// ---- comparison helpers ------------------------------------------------------

type check struct{ diffs []string }

func (c *check) fail(format string, a ...interface{}) {
	c.diffs = append(c.diffs, fmt.Sprintf(format, a...))
}

func (c *check) eqHex(what string, got []byte, want string) {
	if hex.EncodeToString(got) != want {
		c.fail("%s: got %x, want %s", what, got, want)
	}
}

func (c *check) eqStr(what, got, want string) {
	if got != want {
		c.fail("%s: got %q, want %q", what, got, want)
	}
}

func (c *check) eqInt(what string, got, want int) {
	if got != want {
		c.fail("%s: got %d, want %d", what, got, want)
	}
}

// verbose (SPECCHECK_VERBOSE=1) prints every expected failure's reason, to
// review that negative vectors fail for the reason they claim.
var verbose = os.Getenv("SPECCHECK_VERBOSE") != ""

// code checks that err has the §1.5 code want.
func (c *check) code(what string, err error, want string) {
	if verbose && err != nil {
		fmt.Printf("    %s: %v\n", what, err)
	}
	if got := codeOf(err); got != want {
		msg := ""
		if err != nil {
			msg = " (" + err.Error() + ")"
		}
		c.fail("%s: got %s%s, want %s", what, got, msg, want)
	}
}

// ---- JSON access -----------------------------------------------------------------

type obj map[string]interface{}

func (o obj) has(k string) bool { _, ok := o[k]; return ok }

func (o obj) get(k string) interface{} {
	v, ok := o[k]
	if !ok {
		panic(fmt.Sprintf("missing key %q", k))
	}
	return v
}

func (o obj) str(k string) string {
	s, ok := o.get(k).(string)
	if !ok {
		panic(fmt.Sprintf("key %q is not a string", k))
	}
	return s
}

func (o obj) hex(k string) []byte { return mustHex(o.str(k)) }

func (o obj) int(k string) int {
	n, ok := o.get(k).(json.Number)
	if !ok {
		panic(fmt.Sprintf("key %q is not a number", k))
	}
	i, err := n.Int64()
	if err != nil {
		panic(fmt.Sprintf("key %q: %v", k, err))
	}
	return int(i)
}

func (o obj) obj(k string) obj {
	m, ok := o.get(k).(map[string]interface{})
	if !ok {
		panic(fmt.Sprintf("key %q is not an object", k))
	}
	return obj(m)
}

func (o obj) list(k string) []interface{} {
	l, ok := o.get(k).([]interface{})
	if !ok {
		panic(fmt.Sprintf("key %q is not a list", k))
	}
	return l
}

func (o obj) objs(k string) []obj {
	var out []obj
	for _, v := range o.list(k) {
		m, ok := v.(map[string]interface{})
		if !ok {
			panic(fmt.Sprintf("key %q: element is not an object", k))
		}
		out = append(out, obj(m))
	}
	return out
}

func (o obj) hexList(k string) [][]byte {
	var out [][]byte
	for _, v := range o.list(k) {
		s, ok := v.(string)
		if !ok {
			panic(fmt.Sprintf("key %q: element is not a string", k))
		}
		out = append(out, mustHex(s))
	}
	return out
}

func (o obj) intList(k string) []int {
	var out []int
	for _, v := range o.list(k) {
		n, ok := v.(json.Number)
		if !ok {
			panic(fmt.Sprintf("key %q: element is not a number", k))
		}
		i, _ := n.Int64()
		out = append(out, int(i))
	}
	return out
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(fmt.Sprintf("bad hex %q", s))
	}
	return b
}

// fileText returns a case's text: `file`, or `file_hex` for text that is not
// valid UTF-8 (§3.6).
func fileText(o obj) string {
	if o.has("file_hex") {
		return string(o.hex("file_hex"))
	}
	return o.str("file")
}
