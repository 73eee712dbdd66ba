package discovery

import (
	"debug/elf"
	"path/filepath"
	"strings"
)

// libDirs are where dynamic loaders look for libraries by default, on the
// common distributions.
var libDirs = []string{
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
	"/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
	"/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib",
}

// maxNeededDepth bounds how far the libraries of libraries are followed:
// curl needs libcurl, which needs libssl.
const maxNeededDepth = 2

// neededLibSSL returns the path, under root, of the libssl an executable
// loads at start, following its needed libraries (DT_NEEDED). A process
// judged at exec has not mapped its libraries yet; this finds them before
// its loader does.
func neededLibSSL(root, exe string) (string, bool) {
	seen := make(map[string]bool)
	level := []string{exe}
	for depth := 0; depth <= maxNeededDepth && len(level) > 0; depth++ {
		var next []string
		for _, path := range level {
			for _, lib := range importedLibraries(path) {
				if seen[lib] {
					continue
				}
				seen[lib] = true
				found, ok := findLibrary(root, lib)
				if !ok {
					continue
				}
				if strings.HasPrefix(lib, "libssl.so") {
					return found, true
				}
				next = append(next, found)
			}
		}
		level = next
	}
	return "", false
}

func importedLibraries(path string) []string {
	f, err := elf.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	libs, _ := f.ImportedLibraries()
	return libs
}

// findLibrary looks for a library by name in the default directories.
func findLibrary(root, name string) (string, bool) {
	if strings.ContainsRune(name, '/') {
		return "", false
	}
	for _, dir := range libDirs {
		path := filepath.Join(root, dir, name)
		if _, err := FileOf(path); err == nil {
			return path, true
		}
	}
	return "", false
}
