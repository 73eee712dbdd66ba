package discovery

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// FileID identifies a file whatever path or mount namespace shows it.
type FileID struct {
	Dev, Ino uint64
}

// TLSTarget is a file whose TLS functions carry uprobes: a libssl shared
// library or a Go executable using crypto/tls.
type TLSTarget struct {
	Path string // as the collector opens it: through /proc/<pid>/root
	File FileID
	Go   *GoTLS // nil for libssl
}

// TLSFinder finds the TLS targets of processes. It remembers which
// executables are Go programs with crypto/tls, so each is read once.
type TLSFinder struct {
	procRoot string
	goFiles  map[FileID]*GoTLS // nil: not a Go program with crypto/tls
	needed   map[FileID]string // the libssl an executable loads at start, or ""
}

// NewTLSFinder returns a finder reading the procfs at procRoot.
func NewTLSFinder(procRoot string) *TLSFinder {
	return &TLSFinder{procRoot: procRoot, goFiles: make(map[FileID]*GoTLS), needed: make(map[FileID]string)}
}

// Find returns the TLS targets of process pid: the libssl libraries it has
// mapped (or, when none, the one it loads at start), and its executable
// when that is a Go program with crypto/tls.
func (f *TLSFinder) Find(pid uint32) ([]TLSTarget, error) {
	return f.FindExec(pid, "")
}

// FindExec is Find for a process that called execve with execPath. Its
// executable is then found by that path when it names the same file as the
// process's procfs link, or when the process is already gone: a
// short-lived client may exit before its exec is even read, and a target
// opened by that path stays valid after it exits. A process already gone
// has no memory map: the libssl its executable loads at start is the
// target then.
func (f *TLSFinder) FindExec(pid uint32, execPath string) ([]TLSTarget, error) {
	dir := procDir(f.procRoot, pid)
	exe := f.executable(dir, execPath)
	targets, err := f.libraries(dir)
	if err != nil && exe.path == "" {
		return nil, err
	}
	if len(targets) == 0 {
		targets = f.neededLibrary(exe)
	}
	if t, ok := f.goExecutable(exe); ok {
		targets = append(targets, t)
	}
	return targets, nil
}

// exeFile is a process's executable: a path to open it by, its identity,
// and the root directory its library paths are relative to.
type exeFile struct {
	path string // empty when not found
	id   FileID
	root string
}

// executable finds the executable of the process whose procfs directory is
// dir and which called execve with execPath (empty when not known). The
// path is looked up in the collector's own root, then in the host's (the
// root of process 1: the collector may run in a container of its own).
func (f *TLSFinder) executable(dir, execPath string) exeFile {
	link := filepath.Join(dir, "exe")
	linkID, linkErr := FileOf(link)
	if filepath.IsAbs(execPath) {
		for _, root := range []string{"/", filepath.Join(f.procRoot, "1", "root")} {
			path := filepath.Join(root, execPath)
			if id, err := FileOf(path); err == nil && (linkErr != nil || id == linkID) {
				return exeFile{path: path, id: id, root: root}
			}
		}
	}
	if linkErr != nil {
		return exeFile{}
	}
	return exeFile{path: link, id: linkID, root: filepath.Join(dir, "root")}
}

// libraries lists the distinct libssl files in a process's memory map.
func (f *TLSFinder) libraries(dir string) ([]TLSTarget, error) {
	file, err := os.Open(filepath.Join(dir, "maps"))
	if err != nil {
		return nil, fmt.Errorf("read memory map: %w", err)
	}
	defer file.Close()
	var targets []TLSTarget
	scan := bufio.NewScanner(file)
	for scan.Scan() {
		path, ok := mappedLibSSL(scan.Text())
		if !ok {
			continue
		}
		t := TLSTarget{Path: filepath.Join(dir, "root", path)}
		if t.File, err = FileOf(t.Path); err != nil || hasFile(targets, t.File) {
			continue
		}
		targets = append(targets, t)
	}
	if err := scan.Err(); err != nil {
		return nil, fmt.Errorf("read memory map: %w", err)
	}
	return targets, nil
}

// mappedLibSSL returns the path of a maps line's file when it is libssl.
func mappedLibSSL(line string) (string, bool) {
	i := strings.IndexByte(line, '/')
	if i < 0 {
		return "", false
	}
	path := line[i:]
	return path, strings.HasPrefix(filepath.Base(path), "libssl.so")
}

// goExecutable returns the process's executable as a target when it is a
// Go program with crypto/tls.
func (f *TLSFinder) goExecutable(exe exeFile) (TLSTarget, bool) {
	path, id := exe.path, exe.id
	if path == "" {
		return TLSTarget{}, false
	}
	g, known := f.goFiles[id]
	if !known {
		var err error
		g, err = ReadGoTLS(path)
		if err != nil && !errors.Is(err, errNoGoTLS) {
			return TLSTarget{}, false // unreadable now (process gone): ask again later
		}
		f.goFiles[id] = g
	}
	if g == nil {
		return TLSTarget{}, false
	}
	return TLSTarget{Path: path, File: id, Go: g}, true
}

func hasFile(targets []TLSTarget, id FileID) bool {
	for _, t := range targets {
		if t.File == id {
			return true
		}
	}
	return false
}

// neededLibrary returns, as a target, the libssl the process's executable
// loads at start, remembered per executable.
func (f *TLSFinder) neededLibrary(exe exeFile) []TLSTarget {
	if exe.path == "" {
		return nil
	}
	path, known := f.needed[exe.id]
	if !known {
		path, _ = neededLibSSL(exe.root, exe.path)
		f.needed[exe.id] = path
	}
	if path == "" {
		return nil
	}
	lib, err := FileOf(path)
	if err != nil {
		return nil
	}
	return []TLSTarget{{Path: path, File: lib}}
}
