package keyword

// For the tests of package keyword_test, which use the catalogue (package redact imports
// this one).
var (
	CheckSequence = checkSequence
	Dense         = dense
)
