package discovery

import (
	"fmt"
	"syscall"
)

// FileOf identifies the file at path, following symbolic links.
func FileOf(path string) (FileID, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return FileID{}, fmt.Errorf("stat %s: %w", path, err)
	}
	return FileID{Dev: st.Dev, Ino: st.Ino}, nil
}
