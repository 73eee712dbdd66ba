package discovery

import (
	"fmt"
	"syscall"
)

// fileID stats path, following symbolic links.
func fileID(path string) (FileID, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return FileID{}, fmt.Errorf("stat %s: %w", path, err)
	}
	return FileID{Dev: st.Dev, Ino: st.Ino}, nil
}
