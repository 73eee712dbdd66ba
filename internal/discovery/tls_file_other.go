//go:build !linux

package discovery

import "errors"

// FileOf needs Linux: uprobe targets are found only there.
func FileOf(path string) (FileID, error) {
	return FileID{}, errors.New("stat " + path + ": file identity needs Linux")
}
