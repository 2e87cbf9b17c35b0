package diff

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/iotpm/iotpm/internal/export"
	"github.com/iotpm/iotpm/internal/failure"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/planning"
	"github.com/iotpm/iotpm/internal/render"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/diag"
	"github.com/spf13/cobra"
)

// DiffOptions are the inputs of `iotpm diff`.
type DiffOptions struct {
	Factory *cmdutil.Factory
	Base    string   // a git revision; "" for the default
	BaseDir string   // compare with a directory instead of a revision
	FailOn  []string // slip, new-failing-gate, unscheduled-basic, theme-late, theme-likely-late
	// MaxChars caps -o markdown's length in characters (0: no cap), for a
	// pull-request comment (GitHub's limit is 65,536).
	MaxChars int
}

// failOnKinds are the conditions --fail-on accepts.
var failOnKinds = []string{"slip", "new-failing-gate", "unscheduled-basic", "theme-late", "theme-likely-late"}

// NewCmdDiff builds `iotpm diff`.
func NewCmdDiff(f *cmdutil.Factory, runF func(*DiffOptions) error) *cobra.Command {
	opts := &DiffOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "diff [BASE]",
		Short: "What a change does to ranks, dates, battery, cash, gates",
		Long: `Compare the planning repo at BASE (a git revision) with the working tree, every
part computed by the same code as the commands on both sides: RICE ranks and
scores, the roadmap (ship dates, slips and pull-ins in weeks, newly
unscheduled parts, theme completion against due dates, release capacity),
battery life per device, NRE cash (tooling and certification fees) per
feature, release and quarter, and every gate of iotpm.yaml.

BASE defaults to the merge-base of HEAD with the remote default branch
(origin/HEAD), else main, else master. The base's files are read with git at BASE, paths
resolved by the base's own iotpm.yaml. --base-dir compares with a directory
instead (no git needed).

-o markdown is the pull-request comment: a one-paragraph summary, the
warnings the change brings (the head's that the base has not, open), then a
collapsible section per part that changed, and one for the base's warnings
that the head gives with other figures (another count, share or time); an
unchanged plan says so in one line. --fail-on makes the diff a gate (exit 1).`,
		Example: `  iotpm diff                 # against the merge-base with the default branch
  iotpm diff origin/main -o markdown > comment.md
  iotpm diff --base-dir ../plan-v1 --fail-on slip --fail-on new-failing-gate`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Base = args[0]
			}
			if opts.Base != "" && opts.BaseDir != "" {
				return failure.UsageErrorf("give BASE or --base-dir, not both")
			}
			for _, k := range opts.FailOn {
				if !slices.Contains(failOnKinds, k) {
					return failure.UsageErrorf("--fail-on %q: use %s%s", k, strings.Join(failOnKinds, ", "), cmdutil.DidYouMean(k, failOnKinds))
				}
			}
			if opts.MaxChars < 0 {
				return failure.UsageErrorf("--max-chars %d: give a positive number of characters (0: no limit)", opts.MaxChars)
			}
			if runF != nil {
				return runF(opts)
			}
			return diffRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.BaseDir, "base-dir", "", "compare with the planning repo in DIR instead of a git revision")
	cmd.Flags().StringArrayVar(&opts.FailOn, "fail-on", nil, "exit 1 when the change makes a part slip, a gate newly fail, a Kano-basic part unscheduled, a theme late (theme-likely-late: or likely late): "+strings.Join(failOnKinds, ", ")+"; repeatable")
	cmd.Flags().IntVar(&opts.MaxChars, "max-chars", 0, "-o markdown at most N characters: each section keeps fewer rows, saying how many it leaves out (GitHub refuses a comment over 65536)")
	_ = cmd.RegisterFlagCompletionFunc("fail-on", cobra.FixedCompletions(failOnKinds, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.MarkFlagDirname("base-dir")
	cmdutil.DeclareFormats(cmd, cmdutil.DataFormats)
	return cmd
}

func diffRun(opts *DiffOptions) error {
	f := opts.Factory
	format, err := f.Format(cmdutil.DataFormats)
	if err != nil {
		return err
	}
	baseDir, label, cleanup, err := baseTree(f, opts)
	if err != nil {
		return err
	}
	defer cleanup()

	// the base repo through the same use case, its iotpm.yaml loaded as
	// the Factory loads the head's
	baseCfg, baseDiags := planfile.LoadConfigWith(baseDir, export.CheckFormats)
	base := planning.Compute(f.Env(), baseCfg, baseDiags)
	cfg, diags := f.Config()
	head := planning.Compute(f.Env(), cfg, diags)
	for _, err := range []error{base.Err, head.Err} {
		if err != nil {
			return err
		}
	}
	// a base that does not load while the head does: the change fixes the
	// planning files (or makes them valid for this iotpm), and a red diff
	// would block the very pull request that mends main; its errors are
	// shown as warnings and nothing is compared
	unloadable := base.Problems.HasErrors() && !head.Problems.HasErrors()
	// a warning the head gives too is said once, by the head: the base's
	// copy would only double it (a stale calendar, a placeholder file)
	inHead := map[string]bool{}
	for _, d := range head.Problems.Warnings() {
		inHead[d.Message] = true
	}
	var problems diag.List
	for _, d := range base.Problems {
		if d.Severity == diag.Warning && inHead[d.Message] {
			continue
		}
		if rel, err := filepath.Rel(baseDir, d.File); err == nil && !strings.HasPrefix(rel, "..") {
			d.File = label + filepath.ToSlash(rel)
		}
		if unloadable {
			d.Severity = diag.Warning
		}
		problems = append(problems, d)
	}
	problems = append(problems, head.Problems...)
	if err := cmdutil.ReportProblems(f, problems); err != nil {
		return err
	}
	var d *Diff
	if unloadable {
		d = unloadableBase(base, head)
	} else {
		d = comparePlans(base, head)
	}
	if d.NewWarnings, d.ChangedWarnings = newWarnings(base.Problems, head.Problems, f.Dir); len(d.NewWarnings) > 0 {
		d.Summary = d.summary()
	}
	d.Base = strings.TrimSuffix(strings.TrimSuffix(label, ":"), string(filepath.Separator))
	if err := cmdutil.Emit(f, func(w *bytes.Buffer, term render.Term) error { return writeDiff(w, format, d, term, opts.MaxChars) }); err != nil {
		return err
	}
	if failed := d.failures(opts.FailOn); len(failed) > 0 {
		return &failure.GateError{Failed: failed}
	}
	return nil
}

// baseTree returns the directory of the base planning repo, how to label
// its paths in messages ("REV:" or the directory), and a cleanup.
func baseTree(f *cmdutil.Factory, opts *DiffOptions) (dir, label string, cleanup func(), err error) {
	cleanup = func() {}
	if opts.BaseDir != "" {
		dir = f.Path(opts.BaseDir)
		if info, err := os.Stat(dir); err != nil || !info.IsDir() {
			return "", "", cleanup, failure.UsageErrorf("--base-dir %s is not a directory", opts.BaseDir)
		}
		return dir, dir + string(filepath.Separator), cleanup, nil
	}
	top, err := git(f.Dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return "", "", cleanup, failure.UsageErrorf("%s is not in a git repository (%v); compare with a directory: --base-dir DIR", f.Dir, err)
	}
	prefix, _ := git(f.Dir, "rev-parse", "--show-prefix")
	prefix = strings.TrimSuffix(prefix, "/")
	rev := opts.Base
	if rev == "" {
		if rev, err = defaultBase(f.Dir); err != nil {
			return "", "", cleanup, err
		}
	}
	if _, err := git(f.Dir, "rev-parse", "--verify", "--quiet", rev+"^{commit}"); err != nil {
		// a typo of a branch or tag: suggest the nearest
		var refs []string
		if out, err := git(f.Dir, "for-each-ref", "--format=%(refname:short)", "refs/heads", "refs/tags", "refs/remotes"); err == nil {
			refs = strings.Fields(out)
		}
		return "", "", cleanup, failure.UsageErrorf("%q is not a revision of %s%s", rev, top, cmdutil.DidYouMean(rev, refs))
	}
	tree := rev + ":" + prefix
	if kind, err := git(top, "cat-file", "-t", tree); err != nil || kind != "tree" {
		return "", "", cleanup, failure.UsageErrorf("%s has no planning repo at %s", rev, cmp.Or(prefix, "."))
	}
	tmp, err := os.MkdirTemp("", "iotpm-diff-")
	if err != nil {
		return "", "", cleanup, err
	}
	cleanup = func() { os.RemoveAll(tmp) }
	if err := extractBase(f.Context(), top, rev, prefix, tmp); err != nil {
		cleanup()
		return "", "", func() {}, err
	}
	label = rev + ":"
	if prefix != "" {
		label += prefix + "/"
	}
	return tmp, label, cleanup, nil
}

// defaultBase is the merge-base of HEAD with the remote default branch
// (origin/HEAD), else with the first of main and master that exists, as a
// local branch or on origin: a repository made by git init before 2.28
// (or with init.defaultBranch unset) has master, not main.
func defaultBase(dir string) (string, error) {
	branch := ""
	if ref, err := git(dir, "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"); err == nil && ref != "" {
		branch = ref
	} else {
		for _, b := range []string{"main", "master", "origin/main", "origin/master"} {
			if _, err := git(dir, "rev-parse", "--verify", "--quiet", b+"^{commit}"); err == nil {
				branch = b
				break
			}
		}
	}
	if branch == "" {
		return "", failure.UsageErrorf("no default base: the repository has no origin/HEAD and no branch main or master; name the base: iotpm diff REV")
	}
	base, err := git(dir, "merge-base", "HEAD", branch)
	if err != nil {
		return "", failure.UsageErrorf("no default base: HEAD has no commit in common with %s; name the base: iotpm diff REV", branch)
	}
	return base, nil
}

// git runs the git executable in dir and returns its trimmed stdout.
func git(dir string, args ...string) (string, error) {
	return gitContext(context.Background(), dir, args...)
}

// gitContext is git that ctx stops (git is killed): its error is then
// ctx's; otherwise a failure says what git wrote on stderr.
func gitContext(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if ctxErr := ctx.Err(); ctxErr != nil {
		return "", ctxErr
	}
	if err != nil {
		return "", gitError(err, &stderr)
	}
	return strings.TrimSpace(string(out)), nil
}

// gitError is git's failure in its own words (stderr) when it wrote any;
// nil when git succeeded.
func gitError(err error, stderr *bytes.Buffer) error {
	if err == nil {
		return nil
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) && stderr.Len() > 0 {
		return errors.New(strings.TrimSpace(stderr.String()))
	}
	return err
}
