package transport

// What a wrapper around the transport's *http.Client (tracing, metrics) needs to describe
// a vendor call the way the transport's own logs do, without quoting credentials or
// personal data: the operation (Operation, set by WithOperation and carried in every
// request's context), the path redacted to its template, and a failure named without
// the URL.

// PathRedactor turns request paths into what may leave the process: the longest of its
// templates matching the end of the path ("/api/v2/{api_key}/access_token"), any prefix
// before it with every segment that is not a plain lower-case word or a version replaced
// by "{}". Without a matching template every such segment is replaced, so an id, a token
// or an email never shows. It is the redaction the transport's logs use. The zero value
// has no templates; a PathRedactor is safe for concurrent use.
type PathRedactor struct{ t *pathTemplates }

// NewPathRedactor returns a PathRedactor for the vendor's path templates (as in the
// spec: "/users/{user_id}").
func NewPathRedactor(templates ...string) *PathRedactor {
	return &PathRedactor{t: newPathTemplates(templates)}
}

// Redact returns path with its ids, tokens and keys replaced; see PathRedactor.
func (r *PathRedactor) Redact(path string) string {
	if r == nil || r.t == nil {
		return (&pathTemplates{}).logPath(path)
	}
	return r.t.logPath(path)
}

// DescribeError names a transport failure as the transport's logs do ("dial: connection
// refused", "timeout", "connection closed by vendor"), never quoting the URL, query,
// addresses or a message that holds request values. It returns "" for nil.
func DescribeError(err error) string {
	if err == nil {
		return ""
	}
	return describeErr(err)
}
