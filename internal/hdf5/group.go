package hdf5

import "sort"

// Groups: the old style (a symbol table: a v1 B-tree of symbol-table nodes
// whose names are in a local heap; what h5py writes by default) and the new
// style (link messages in the object header, libver="latest").

type symbolScratch struct{ btree, heap uint64 }

type symbolEntry struct {
	nameOff uint64
	header  uint64
	scratch *symbolScratch
}

// link is one named hard link of a group.
type link struct {
	name string
	addr uint64
	hard bool
}

func (f *File) readSymbolEntry(r *reader) symbolEntry {
	e := symbolEntry{nameOff: r.offset(), header: r.offset()}
	cache := r.u32()
	r.skip(4)
	scr := r.sub(16, "symbol table entry scratch")
	if cache == 1 {
		e.scratch = &symbolScratch{btree: scr.offset(), heap: scr.offset()}
	}
	return e
}

// localHeap returns the data segment of the local heap at addr.
func (f *File) localHeap(addr uint64) ([]byte, error) {
	r := f.at(addr, "local heap")
	r.magic("HEAP")
	r.skip(4) // version, reserved
	size := r.length()
	r.length() // free list
	data := r.offset()
	if r.err != nil {
		return nil, r.err
	}
	d := f.at(data, "local heap data")
	seg := d.bytes(size)
	return seg, d.err
}

// heapString is the NUL-terminated string at off in a local heap.
func heapString(heap []byte, off uint64) (string, error) {
	if off >= uint64(len(heap)) {
		return "", errorf("name offset %d outside the local heap (%d bytes)", off, len(heap))
	}
	for i := off; i < uint64(len(heap)); i++ {
		if heap[i] == 0 {
			return string(heap[off:i]), nil
		}
	}
	return "", errorf("unterminated name in the local heap")
}

// symbolLinks lists a symbol-table group's entries by walking its v1 B-tree.
func (f *File) symbolLinks(st *symbolScratch, path string) ([]link, error) {
	heap, err := f.localHeap(st.heap)
	if err != nil {
		return nil, err
	}
	var out []link
	seen := map[uint64]bool{}
	var walk func(addr uint64, depth int) error
	walk = func(addr uint64, depth int) error {
		if depth > maxDepth {
			return errorf("%s: group B-tree deeper than %d", path, maxDepth)
		}
		if seen[addr] {
			return errorf("%s: group B-tree node %d visited twice (a cycle)", path, addr)
		}
		seen[addr] = true
		if err := f.step(); err != nil {
			return err
		}
		r := f.at(addr, "group B-tree of "+path)
		r.magic("TREE")
		if typ := r.u8(); r.err == nil && typ != 0 {
			return errorf("%s: B-tree node type %d in a group, want 0", path, typ)
		}
		level := r.u8()
		n := r.u16()
		r.offset()
		r.offset() // siblings
		var children []uint64
		for i := 0; i < n && r.err == nil; i++ {
			r.length() // key: heap offset of the largest name so far
			children = append(children, r.offset())
		}
		if r.err != nil {
			return r.err
		}
		for _, c := range children {
			if level > 0 {
				if err := walk(c, depth+1); err != nil {
					return err
				}
				continue
			}
			if seen[c] {
				return errorf("%s: symbol table node %d visited twice (a cycle)", path, c)
			}
			seen[c] = true
			s := f.at(c, "symbol table node of "+path)
			s.magic("SNOD")
			s.skip(2)
			m := s.u16()
			for j := 0; j < m && s.err == nil; j++ {
				if err := f.step(); err != nil {
					return err
				}
				e := f.readSymbolEntry(s)
				if s.err != nil {
					break
				}
				name, err := heapString(heap, e.nameOff)
				if err != nil {
					return errorf("%s: %v", path, err)
				}
				out = append(out, link{name: name, addr: e.header, hard: true})
			}
			if s.err != nil {
				return s.err
			}
		}
		return nil
	}
	if err := walk(st.btree, 0); err != nil {
		return nil, err
	}
	return out, nil
}

// parseLink reads a link message (IV.A.2.g).
func parseLink(r *reader) (link, error) {
	var l link
	if v := r.u8(); r.err == nil && v != 1 {
		return l, errorf("link message version %d, want 1", v)
	}
	flags := r.u8()
	typ := 0
	if flags&0x08 != 0 {
		typ = r.u8()
	}
	if flags&0x04 != 0 {
		r.skip(8)
	}
	if flags&0x10 != 0 {
		r.skip(1)
	}
	n := r.uint(1 << (flags & 3))
	l.name = string(r.bytes(n))
	if typ == 0 {
		l.addr, l.hard = r.offset(), true
	}
	return l, r.err
}

// IsGroup reports whether o is a group.
func (o *Object) IsGroup() bool { return o.isGroup }

// IsDataset reports whether o is a dataset.
func (o *Object) IsDataset() bool { return o.layout != nil }

func (o *Object) groupLinks() ([]link, error) {
	if !o.isGroup {
		return nil, errorf("%s is not a group", o.Path)
	}
	if o.denseLinks != nil && !o.linksRead {
		links, err := o.f.denseLinks(o.denseLinks, o.Path)
		if err != nil {
			return nil, err
		}
		o.links, o.linksRead = append(o.links, links...), true
	}
	if o.symtab != nil && !o.linksRead {
		links, err := o.f.symbolLinks(o.symtab, o.Path)
		if err != nil {
			return nil, err
		}
		o.links, o.linksRead = links, true
	}
	return o.links, nil
}

// Children lists the names of a group's members, sorted.
func (o *Object) Children() ([]string, error) {
	links, err := o.groupLinks()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(links))
	for _, l := range links {
		names = append(names, l.name)
	}
	sort.Strings(names)
	return names, nil
}

// Child returns the member of a group called name.
func (o *Object) Child(name string) (*Object, error) {
	links, err := o.groupLinks()
	if err != nil {
		return nil, err
	}
	for _, l := range links {
		if l.name != name {
			continue
		}
		if !l.hard {
			return nil, errorf("%s/%s: soft and external links are not supported", o.Path, name)
		}
		return o.f.object(l.addr, join(o.Path, name), nil)
	}
	return nil, &NotFoundError{Path: join(o.Path, name)}
}

// NotFoundError reports a path with no object.
type NotFoundError struct{ Path string }

func (e *NotFoundError) Error() string { return "hdf5: no object " + e.Path }

func join(dir, name string) string {
	if dir == "/" {
		return "/" + name
	}
	return dir + "/" + name
}

// Get returns the object at path, relative to o.
func (o *Object) Get(path string) (*Object, error) {
	parts := splitPath(path)
	if len(parts) > maxDepth {
		return nil, errorf("path %q has more than %d components", path, maxDepth)
	}
	cur := o
	for _, p := range parts {
		next, err := cur.Child(p)
		if err != nil {
			return nil, err
		}
		cur = next
	}
	return cur, nil
}

// Walk calls fn for o and every object below it, depth first in name
// order, each object once: a group reached again (a hard link cycle, or two
// links to it) is not entered again.
func (o *Object) Walk(fn func(*Object) error) error {
	seen := map[*Object]bool{}
	var walk func(*Object, int) error
	walk = func(x *Object, depth int) error {
		if seen[x] {
			return nil
		}
		seen[x] = true
		if err := fn(x); err != nil {
			return err
		}
		if !x.isGroup {
			return nil
		}
		if depth >= maxDepth {
			return errorf("%s: groups nested deeper than %d", x.Path, maxDepth)
		}
		names, err := x.Children()
		if err != nil {
			return err
		}
		for _, n := range names {
			c, err := x.Child(n)
			if err != nil {
				return err
			}
			if err := walk(c, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(o, 0)
}
