package discovery

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestRegistryLookupCaches(t *testing.T) {
	root := t.TempDir()
	writeFakeProc(t, root, fakeProc{pid: 30, comm: "app", ppid: 1, start: 100, exe: "/usr/bin/app"})
	r := NewRegistry(root, false)
	first, err := r.Lookup(30)
	if err != nil {
		t.Fatal(err)
	}
	// The cache answers even once procfs has changed.
	writeFakeProc(t, root, fakeProc{pid: 30, comm: "other", ppid: 1, start: 100, exe: "/usr/bin/other"})
	again, err := r.Lookup(30)
	if err != nil || again != first {
		t.Fatalf("second Lookup = %p, %v; want the cached %p", again, err, first)
	}
	if r.Len() != 1 {
		t.Fatalf("Len = %d, want 1", r.Len())
	}
}

func TestRegistryRefreshOnExec(t *testing.T) {
	root := t.TempDir()
	writeFakeProc(t, root, fakeProc{pid: 31, comm: "sh", ppid: 1, start: 100, exe: "/bin/sh"})
	r := NewRegistry(root, false)
	before, err := r.Lookup(31)
	if err != nil {
		t.Fatal(err)
	}
	writeFakeProc(t, root, fakeProc{pid: 31, comm: "python3", ppid: 1, start: 100, exe: "/usr/bin/python3.11"})
	after, err := r.Refresh(31)
	if err != nil {
		t.Fatal(err)
	}
	if after.ExecutablePath != "/usr/bin/python3.11" || before.ExecutablePath != "/bin/sh" {
		t.Fatalf("after exec %q (before %q)", after.ExecutablePath, before.ExecutablePath)
	}
	if got, _ := r.Lookup(31); got != after {
		t.Fatal("Lookup after Refresh does not return the refreshed process")
	}
}

func TestRegistryRemoveAndVanish(t *testing.T) {
	root := t.TempDir()
	writeFakeProc(t, root, fakeProc{pid: 32, comm: "app", ppid: 1, start: 100, exe: "/usr/bin/app"})
	r := NewRegistry(root, false)
	if _, err := r.Lookup(32); err != nil {
		t.Fatal(err)
	}
	r.Remove(32)
	if r.Len() != 0 {
		t.Fatalf("Len after Remove = %d", r.Len())
	}
	if _, err := r.Lookup(32); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(root, "32")); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Refresh(32); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Refresh of a vanished process = %v, want fs.ErrNotExist", err)
	}
	if r.Len() != 0 {
		t.Fatal("a vanished process stayed cached")
	}
}

func TestRegistryPrune(t *testing.T) {
	root := t.TempDir()
	r := NewRegistry(root, false)
	for _, fp := range []fakeProc{
		{pid: 40, comm: "alive", ppid: 1, start: 100, exe: "/bin/alive"},
		{pid: 41, comm: "exited", ppid: 1, start: 100, exe: "/bin/exited"},
		{pid: 42, comm: "old", ppid: 1, start: 100, exe: "/bin/old"},
	} {
		writeFakeProc(t, root, fp)
		if _, err := r.Lookup(fp.pid); err != nil {
			t.Fatal(err)
		}
	}
	// Exit events lost: 41 exited, and 42 exited and its PID was reused.
	if err := os.RemoveAll(filepath.Join(root, "41")); err != nil {
		t.Fatal(err)
	}
	writeFakeProc(t, root, fakeProc{pid: 42, comm: "new", ppid: 1, start: 900, exe: "/bin/new"})
	if dropped := r.Prune(); dropped != 2 {
		t.Fatalf("Prune dropped %d, want 2", dropped)
	}
	p, err := r.Lookup(42)
	if err != nil || p.ExecutablePath != "/bin/new" || p.StartTime != 900 {
		t.Fatalf("Lookup after reuse = %+v, %v", p, err)
	}
	if r.Len() != 2 {
		t.Fatalf("Len = %d, want 2", r.Len())
	}
}

func TestRegistryLookupDoesNotAllocate(t *testing.T) {
	root := t.TempDir()
	writeFakeProc(t, root, fakeProc{pid: 50, comm: "app", ppid: 1, start: 100, exe: "/usr/bin/app"})
	r := NewRegistry(root, false)
	if _, err := r.Lookup(50); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(1000, func() { _, _ = r.Lookup(50) }); n != 0 {
		t.Fatalf("cached Lookup allocates %v times", n)
	}
}

func TestRegistryConcurrent(t *testing.T) {
	root := t.TempDir()
	for pid := uint32(60); pid < 64; pid++ {
		writeFakeProc(t, root, fakeProc{pid: pid, comm: "app", ppid: 1, start: 100, exe: "/usr/bin/app"})
	}
	r := NewRegistry(root, false)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				pid := uint32(60 + (g+i)%4)
				switch i % 10 {
				case 0:
					r.Remove(pid)
				case 1:
					_, _ = r.Refresh(pid)
				case 2:
					r.Prune()
				default:
					if p, err := r.Lookup(pid); err != nil || p.PID != pid {
						t.Errorf("Lookup(%d) = %+v, %v", pid, p, err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkRegistryLookup(b *testing.B) {
	root := b.TempDir()
	writeFakeProc(b, root, fakeProc{pid: 70, comm: "app", ppid: 1, start: 100, exe: "/usr/bin/app"})
	r := NewRegistry(root, false)
	if _, err := r.Lookup(70); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_, _ = r.Lookup(70)
		}
	})
}
