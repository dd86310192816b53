package corpus

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
)

// FalsePositives reads the false-positive samples gitleaks validates each rule against:
// in the rule sources under dir/cmd/generate/config/rules, the string constants of the
// slice a rule function passes as the third argument of utils.Validate. Samples built at
// run time (by a function call) cannot be read from the source and are left out.
func FalsePositives(dir string) (map[string][]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "cmd", "generate", "config", "rules", "*.go"))
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	fset := token.NewFileSet()
	for _, f := range files {
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			return nil, err
		}
		for _, decl := range file.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			id, fpsName := ruleAndFPs(fn)
			if id == "" || fpsName == "" {
				continue
			}
			out[id] = append(out[id], stringsAssignedTo(fn, fpsName)...)
		}
	}
	return out, nil
}

// ruleAndFPs finds the RuleID a function defines and the name of the variable it passes
// to utils.Validate as false positives.
func ruleAndFPs(fn *ast.FuncDecl) (string, string) {
	var id, fps string
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.KeyValueExpr:
			if k, ok := x.Key.(*ast.Ident); ok && k.Name == "RuleID" {
				if v, ok := constString(x.Value); ok {
					id = v
				}
			}
		case *ast.CallExpr:
			if sel, ok := x.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Validate" && len(x.Args) == 3 {
				if a, ok := x.Args[2].(*ast.Ident); ok && a.Name != "nil" {
					fps = a.Name
				}
			}
		}
		return true
	})
	return id, fps
}

// stringsAssignedTo collects the constant strings of composite literals and append calls
// assigned to name in fn.
func stringsAssignedTo(fn *ast.FuncDecl, name string) []string {
	var out []string
	collect := func(e ast.Expr) {
		ast.Inspect(e, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CompositeLit:
				for _, el := range x.Elts {
					if s, ok := constString(el); ok {
						out = append(out, s)
					}
				}
				return false
			case *ast.CallExpr:
				if f, ok := x.Fun.(*ast.Ident); ok && f.Name == "append" {
					for _, a := range x.Args[1:] {
						if s, ok := constString(a); ok {
							out = append(out, s)
						}
					}
				}
			}
			return true
		})
	}
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		if as, ok := n.(*ast.AssignStmt); ok {
			for i, l := range as.Lhs {
				if id, ok := l.(*ast.Ident); ok && id.Name == name && i < len(as.Rhs) {
					collect(as.Rhs[i])
				}
			}
		}
		return true
	})
	return out
}

// constString evaluates a string literal or a concatenation of them.
func constString(e ast.Expr) (string, bool) {
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(x.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if x.Op != token.ADD {
			return "", false
		}
		a, ok1 := constString(x.X)
		b, ok2 := constString(x.Y)
		return a + b, ok1 && ok2
	case *ast.ParenExpr:
		return constString(x.X)
	}
	return "", false
}
