//go:build !linux

package discovery

import "errors"

// fileID needs Linux: TLS targets are found only there.
func fileID(path string) (FileID, error) {
	return FileID{}, errors.New("stat " + path + ": file identity needs Linux")
}
