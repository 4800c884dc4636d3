//! The function library through the engine: (template, expected output)
//! rows. Every expected output here was printed by helm 4.1.4 for the same
//! template and values (a probe chart, output through `b64enc`), except
//! where a comment says otherwise. Known differences are listed in
//! `known_differences` with their reason.

use std::collections::BTreeMap;

use crate::{Options, Set, Value};

/// The probe chart's values.yaml, read as Helm reads it.
const VALUES: &str = r#"dst1: {a: 1, b: '', c: {x: 1, p: {z: 1}}, d: [1], e: null, f: false, g: {}}
src1: {a: 2, b: 3, c: {x: 2, w: 2, p: {z: 2, q: 2}}, d: [2], e: 4, f: true, g: {k: v}, h: 5, n: null}
dst2: {a: 1, b: '', c: {x: 1, p: {z: 1}}, d: [1], e: null, f: true, g: {}, n: 1}
src2: {a: 2, b: 3, c: {x: 2, w: 2, p: {z: 2, q: 2}}, d: [2], e: 4, f: false, g: {k: v}, h: 5, n: null}
num: 3
flt: 2.5
str: "42"
"#;

fn render(template: &str, values: &str) -> Result<String, String> {
    let mut set = Set::new();
    set.parse("t", template).map_err(|e| e.to_string())?;
    let mut dot = BTreeMap::new();
    dot.insert(
        "Values".to_string(),
        super::yaml::from_yaml(values).map_err(|e| e.to_string())?,
    );
    set.execute("t", Value::map(dot), &Options::default())
        .map_err(|e| e.to_string())
}

fn check(rows: &[(&str, &str)], values: &str) {
    let mut failed = Vec::new();
    for (template, want) in rows {
        match render(template, values) {
            Ok(got) if got == *want => {}
            other => failed.push(format!("{template}\n   want {want:?}\n    got {other:?}")),
        }
    }
    assert!(
        failed.is_empty(),
        "{} failures:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

#[test]
fn functions_as_helm_runs_them() {
    check(
        &[
            (
                r#"{{ merge .Values.dst1 .Values.src1 | toJson }}"#,
                r#"{"a":1,"b":3,"c":{"p":{"q":2,"z":1},"w":2,"x":1},"d":[1],"e":4,"f":true,"g":{"k":"v"},"h":5}"#,
            ),
            (
                r#"{{ mergeOverwrite .Values.dst2 .Values.src2 | toJson }}"#,
                r#"{"a":2,"b":3,"c":{"p":{"q":2,"z":2},"w":2,"x":2},"d":[2],"e":4,"f":false,"false":null,"g":{"k":"v"},"h":5}"#,
            ),
            (
                r#"{{ list (typeOf 1) (typeOf .Values.num) (typeOf (int64 3)) (typeOf "s") (typeOf nil) (typeOf list) (typeOf dict) (typeOf true) (typeOf (add 1 2)) (typeOf (b64enc "x")) | toJson }}"#,
                r#"["int","float64","int64","string","\u003cnil\u003e","[]interface {}","map[string]interface {}","bool","int64","string"]"#,
            ),
            (
                r#"{{ list (kindOf 1) (kindOf nil) (kindOf list) (kindOf dict) (kindOf 1.5) (kindOf "x") (kindOf (until 2)) | toJson }}"#,
                r#"["int","invalid","slice","map","float64","string","slice"]"#,
            ),
            (
                r#"{{ list (int "42") (int .Values.flt) (int "0x10") (int "010") (int "1.0") (int "1.5") (int true) (int nil) (int64 "7") (float64 "1.5") (float64 "x") (atoi "12") (atoi " 12") (atoi "+5") | toJson }}"#,
                r#"[42,2,16,8,1,0,1,0,7,1.5,0,12,0,5]"#,
            ),
            (
                r#"{{ list (add 1 2 "3" 4.9) (sub 5 2) (mul 2 3 4) (div 7 2) (mod 7 3) (max 1 5 3) (min 4 2 9) (add1 .Values.num) (floor 2.7) (ceil 2.1) (round 2.555 2) (mulf 0.1 3) (divf 1 3) (addf 0.1 0.2) (subf 0.3 0.1) (maxf 1 2.5) (minf 1 2.5) (divf 10 4) (mulf 1.5 "2") | toJson }}"#,
                r#"[10,3,24,3,1,5,2,4,2,3,2.56,0.3,0.3333333333333333,0.3,0.2,2.5,1,2.5,3]"#,
            ),
            (
                r#"{{ list (trunc 3 "abcdef") (trunc -3 "abcdef") (trunc 10 "ab") (substr 1 3 "abcdef") (substr -1 3 "abcdef") (substr 2 -1 "abcdef") (abbrev 5 "hello world") (abbrevboth 5 10 "1234 5678 9123") (initials "First Try") (nospace " a b\tc ") (title "hello world-foo_bar") (untitle "Hello World") (repeat 3 "ab") (snakecase "FirstName") (snakecase "HTTPServer") (snakecase "some_words here") (camelcase "http_server") (camelcase "some-words") (kebabcase "FirstName") (swapcase "Hello World") (wrap 5 "Hello Sprig World") (wrapWith 4 "<br>" "abcdefghij xyz") (plural "one" "many" 2) | toJson }}"#,
                r#"["abc","def","ab","bc","abc","cdef","he...","...5678...","FT","abc","Hello World-Foo_bar","hello world","ababab","first_name","http_server","some_words_here","HttpServer","SomeWords","first-name","hELLO wORLD","Hello\nSprig\nWorld","abcd\u003cbr\u003eefgh\u003cbr\u003eij\u003cbr\u003exyz","many"]"#,
            ),
            (
                r#"{{ list (quote "a\"b" 1 nil 2.5) (squote "x" 1 nil) (cat "a" 1 nil "b") (indent 2 "a\nb") (nindent 2 "a") (replace "a" "b" "banana") (trimAll "$" "$$x$$") (trimSuffix ".x" "a.x") (trimPrefix "a" "aab") (trim "  x \n") (upper "aé") (lower "AÉ") (contains "b" "abc") (hasPrefix "a" "abc") (hasSuffix "c" "abc") (join "," (list 1 "a" nil 2.5)) (split "," "a,b") (splitn "," 2 "a,b,c") (splitList "," "a,,b") (sortAlpha (list "b" "a" "C")) (toString 1.5) (toString nil) (toStrings (list 1 nil "x")) (seq 3) (seq 1 2 7) (until 3) (untilStep 0 10 3) | toJson }}"#,
                r#"["\"a\\\"b\" \"1\" \"2.5\"","'x' '1'","a 1 b","  a\n  b","\n  a","bbnbnb","x","a","ab","x","AÉ","aé",true,true,true,"1,a,2.5",{"_0":"a","_1":"b"},{"_0":"a","_1":"b,c"},["a","","b"],["C","a","b"],"1.5","\u003cnil\u003e",["1","x"],"1 2 3","1 3 5 7",[0,1,2],[0,3,6,9]]"#,
            ),
            (
                r#"{{ list (first (list 1 2)) (last (list 1 2)) (rest (list 1 2 3)) (initial (list 1 2 3)) (reverse (list 1 2 3)) (uniq (list 1 1 "a" "a" 2)) (without (list 1 2 3 2) 2) (has 2 (list 1 2)) (has 2 nil) (slice (list 1 2 3 4) 1 3) (concat (list 1) (list 2 3)) (chunk 2 (list 1 2 3)) (compact (list 1 0 "" nil "a" false)) (append (list 1) 2) (prepend (list 1) 0) (first list) (rest list) | toJson }}"#,
                r#"[1,2,[2,3],[1,2],[3,2,1],[1,"a",2],[1,3],true,false,[2,3],[1,2,3],[[1,2],[3]],[1,"a"],[1,2],[0,1],null,null]"#,
            ),
            (
                r#"{{ $d := dict "a" 1 "b" 2 "c" }}{{ list $d (get $d "a") (get $d "z") (hasKey $d "b") (keys $d | sortAlpha) (pick $d "a" "z") (omit $d "a") (pluck "a" $d (dict "a" 5)) (values (dict "x" 1)) (dig "a" "b" "def" (dict "a" (dict "b" 7))) (dig "a" "z" "def" (dict "a" (dict "b" 7))) (set $d "n" 9) (unset $d "a") $d | toJson }}"#,
                r#"[{"b":2,"c":"","n":9},1,"",true,["a","b","c"],{"a":1},{"b":2,"c":""},[1,5],[1],7,"def",{"b":2,"c":"","n":9},{"b":2,"c":"","n":9},{"b":2,"c":"","n":9}]"#,
            ),
            (
                r#"{{ list (default "d" "") (default "d" "x") (default "d" 0) (default "d" list) (default "d" false) (empty 0) (empty "a") (empty dict) (coalesce "" 0 "x") (coalesce "" 0) (all 1 "a") (all 1 "") (any 0 "") (any 0 "a") (ternary "a" "b" true) (deepEqual (list 1) (list 1)) (deepEqual 1 (int64 1)) | toJson }}"#,
                r#"["d","x","d","d","d",true,false,true,"x",null,true,false,false,true,"a",true,false]"#,
            ),
            (
                r#"{{ list (regexMatch "^a.c$" "abc") (regexMatch "(" "x") (regexFind "[0-9]+" "ab12cd34") (regexFindAll "[0-9]" "a1b2c3" 2) (regexFindAll "a*" "baaac" -1) (regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W") (regexReplaceAll "a(x*)b" "-ab-axxb-" "$1W") (regexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "${1}") (regexSplit "z+" "pizza" -1) (regexSplit "z+" "pizza" 1) (regexQuoteMeta "1.2.3 [x] #-") | toJson }}"#,
                r#"[true,false,"12",["1","2"],["","aaa",""],"-W-xxW-","---","-${1}-${1}-",["pi","a"],["pizza"],"1\\.2\\.3 \\[x\\] #-"]"#,
            ),
            (
                r#"{{ list (b64enc "hello") (b64dec "aGVsbG8=") (b64dec "a!") (b32enc "foobar") (b32dec "MZXW6===") (sha1sum "x") (sha256sum "x") (sha512sum "x") (adler32sum "Wikipedia") | toJson }}"#,
                r#"["aGVsbG8=","hello","illegal base64 data at input byte 1","MZXW6YTBOI======","foo","11f6ad8ec52a2984abaafd7c3b516503785c2072","2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881","a4abd4448c49562d828115d13a1fccea927f52b4d5459297f8b43e42da89238bc13626e43dcb38ddb082488927ec904fb42057443983e88585179d50551afe62","300286872"]"#,
            ),
            (
                r#"{{ list (base "/a/b.txt/") (dir "/a/b/c") (clean "a//b/./../c/") (ext "a/b.tar.gz") (isAbs "/x") (osBase "a/b") | toJson }}"#,
                r#"["b.txt","/a/b","a/c",".gz",true,"b"]"#,
            ),
            (
                r#"{{ list (fromYaml "a: 1\nb: [x]") (fromYaml "- 1") (fromYaml "a: [") (fromYaml "x") (fromYamlArray "- 1\n- a") (fromYamlArray "a: 1") (fromJson "{\"a\": 1}") (fromJson "[1]") (fromJson "{x") (fromJsonArray "[1, \"a\"]") (fromJsonArray "{}") (fromYaml "") (fromJson "null") | toJson }}"#,
                r#"[{"a":1,"b":["x"]},{"Error":"error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}"},{"Error":"error converting YAML to JSON: yaml: line 1: did not find expected node content"},{"Error":"error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type map[string]interface {}"},[1,"a"],["error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go value of type []interface {}"],{"a":1},{"Error":"json: cannot unmarshal array into Go value of type map[string]interface {}"},{"Error":"invalid character 'x' looking for beginning of object key string"},[1,"a"],["json: cannot unmarshal object into Go value of type []interface {}"],{},null]"#,
            ),
            (
                r#"{{ toToml (dict "a" 1 "b" "x" "c" (dict "d" 1.5 "e" (list 1 2)) "f" (list (dict "g" 1) (dict "g" 2)) "h" true "i" 3.0) }}"#,
                r#"a = 1
b = "x"
h = true
i = 3.0

[c]
  d = 1.5
  e = [1, 2]

[[f]]
  g = 1

[[f]]
  g = 2
"#,
            ),
            (
                r#"{{ toYamlPretty (dict "a" (list 1 2) "b" (dict "c" "yes") "d" 3.0 "e" 1.5) }}"#,
                r#"a:
  - 1
  - 2
b:
  c: "yes"
d: 3
e: 1.5"#,
            ),
            (r#"{{ lookup "v1" "Pod" "ns" "x" | toJson }}"#, r#"{}"#),
        ],
        VALUES,
    );
}

/// Where strata knowingly differs from helm, and why.
#[test]
fn known_differences() {
    // Go's typed slices ([]int from until, []string from splitList, keys,
    // sortAlpha, regexFindAll, …) are plain lists here: they print,
    // range, index and encode the same; only typeOf/typeIs tell them
    // apart (helm says "[]int", "[]string").
    let rows = [(
        r#"{{ list (typeOf (until 3)) (typeOf (splitList "," "a")) (typeOf (keys dict)) | toJson }}"#,
        r#"["[]interface {}","[]interface {}","[]interface {}"]"#,
    )];
    check(&rows, VALUES);
}

/// Random and time functions: their shape, not their values.
#[test]
fn nondeterministic_functions_have_helms_shape() {
    let r = |t: &str| render(t, VALUES).unwrap();
    let all = |s: &str, ok: fn(char) -> bool| s.chars().all(ok);
    let x = r(r#"{{ randAlphaNum 32 }}"#);
    assert!(
        x.len() == 32 && all(&x, |c| c.is_ascii_alphanumeric()),
        "{x}"
    );
    let x = r(r#"{{ randAlpha 16 }}"#);
    assert!(x.len() == 16 && all(&x, |c| c.is_ascii_alphabetic()), "{x}");
    let x = r(r#"{{ randNumeric 8 }}"#);
    assert!(x.len() == 8 && all(&x, |c| c.is_ascii_digit()), "{x}");
    let x = r(r#"{{ randAscii 40 }}"#);
    assert!(
        x.len() == 40 && all(&x, |c| (' '..='~').contains(&c)),
        "{x}"
    );
    assert_eq!(r(r#"{{ randAlphaNum 0 }}"#), "");
    let x = r(r#"{{ randInt 5 7 }}"#);
    assert!(x == "5" || x == "6", "{x}");
    // 12 bytes in base64 (b64dec would make them text: not valid UTF-8).
    let x = r(r#"{{ randBytes 12 }}"#);
    assert_eq!(
        super::encoding::b64_decode(&x).map(|b| b.len()),
        Ok(12),
        "{x}"
    );
    let x = r(r#"{{ uuidv4 }}"#);
    let parts: Vec<&str> = x.split('-').collect();
    assert_eq!(
        parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
        vec![8, 4, 4, 4, 12],
        "{x}"
    );
    assert!(
        parts[2].starts_with('4') && "89ab".contains(&parts[3][..1]),
        "{x}"
    );
    let x = r(r#"{{ shuffle "abcdef" }}"#);
    let mut sorted: Vec<char> = x.chars().collect();
    sorted.sort();
    assert_eq!(sorted.into_iter().collect::<String>(), "abcdef");
    // The corpus' uses (argo-cd, postgresql).
    let x = r(r#"{{ default (dateInZone "2006-01-02T15:04:05Z" (now) "UTC") .Values.missing }}"#);
    assert!(
        x.len() == 20 && x.ends_with('Z') && x.as_bytes()[10] == b'T',
        "{x}"
    );
    let x = r(r#"{{ now | date "20060102150405" | quote }}"#);
    assert!(
        x.len() == 16 && all(&x[1..15], |c| c.is_ascii_digit()),
        "{x}"
    );
    let x = r(r#"{{ now | unixEpoch }}"#);
    assert!(x.parse::<i64>().unwrap() > 1_600_000_000, "{x}");
    assert_eq!(
        r(r#"{{ toDate "2006-01-02" "2021-03-04" | unixEpoch }}"#),
        "1614816000"
    );
    assert_eq!(
        r(r#"{{ toDate "2006-01-02" "2021-03-04" | dateModify "1h30m" | date "15:04" }}"#),
        "01:30"
    );
    assert_eq!(r(r#"{{ 1614834367 | date "2006-01-02" }}"#), "2021-03-04");
    assert_eq!(
        r(r#"{{ duration "95" }} {{ durationRound "2h10m" }}"#),
        "1m35s 2h"
    );
    assert_eq!(
        r(r#"{{ toDate "2006-01-02" "2021-03-04" | toJson }}"#),
        r#""2021-03-04T00:00:00Z""#
    );
}

/// Certificates: real PEM, signed by the right key (checked with the
/// public key here; `openssl verify` accepted them when this was written).
#[test]
fn certificates_are_real() {
    let t = r#"{{- $ca := genCA "my-ca" 365 -}}
{{- $c := genSignedCert "svc" (list "10.0.0.1") (list "svc.ns" "svc") 30 $ca -}}
{{- $s := genSelfSignedCert "self" nil nil 10 -}}
{{ $ca.Cert }}|{{ $ca.Key }}|{{ $c.Cert }}|{{ $c.Key }}|{{ $s.Cert }}|{{ $s.Key }}"#;
    let out = render(t, VALUES).unwrap();
    let parts: Vec<&str> = out.split('|').collect();
    assert_eq!(parts.len(), 6, "{out}");
    for (i, p) in parts.iter().enumerate() {
        let label = if i % 2 == 0 {
            "CERTIFICATE"
        } else {
            "RSA PRIVATE KEY"
        };
        assert!(p.starts_with(&format!("-----BEGIN {label}-----\n")), "{p}");
        assert!(p.ends_with(&format!("-----END {label}-----\n")), "{p}");
        assert!(p.lines().all(|l| l.len() <= 64), "{p}");
    }
    // The signed certificate names the CA as its issuer.
    let der = |pem: &str| {
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        super::encoding::b64_decode(&body).unwrap()
    };
    let ca_der = der(parts[0]);
    let c_der = der(parts[2]);
    let ca_subject = super::crypto::tests_support::subject(&ca_der).unwrap();
    let c_issuer = super::crypto::tests_support::issuer(&c_der).unwrap();
    assert_eq!(ca_subject, c_issuer);
    assert!(super::crypto::tests_support::verify(&c_der, parts[1]));
    assert!(super::crypto::tests_support::verify(&ca_der, parts[1]));
    assert!(super::crypto::tests_support::verify(
        &der(parts[4]),
        parts[5]
    ));
    assert!(!super::crypto::tests_support::verify(&c_der, parts[3]));
    // Errors as Sprig words them.
    assert!(
        render(r#"{{ genSelfSignedCert "x" (list "nope") nil 1 }}"#, VALUES)
            .unwrap_err()
            .ends_with("error calling genSelfSignedCert: error parsing ip: nope")
    );
}

#[test]
#[ignore = "writes certificates to $STRATA_CERT_DIR for openssl"]
fn dump_certificates() {
    let dir = std::env::var("STRATA_CERT_DIR").unwrap();
    let t = r#"{{- $ca := genCA "my-ca" 365 -}}{{- $c := genSignedCert "svc" (list "10.0.0.1") (list "svc.ns") 30 $ca -}}{{ $ca.Cert }}|{{ $c.Cert }}|{{ $c.Key }}"#;
    let out = render(t, VALUES).unwrap();
    let parts: Vec<&str> = out.split('|').collect();
    std::fs::write(format!("{dir}/ca.pem"), parts[0]).unwrap();
    std::fs::write(format!("{dir}/c.pem"), parts[1]).unwrap();
    std::fs::write(format!("{dir}/c.key"), parts[2]).unwrap();
}
