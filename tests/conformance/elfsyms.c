/*
 * elfsyms.c - what a module file exports, read from its ELF .dynsym.
 *
 * Read from the file itself rather than asked of the dynamic loader: dlsym
 * finds a symbol but cannot list them, and the contract says the entry
 * point is the only one. The file is untrusted: every offset is checked
 * against its size before it is followed.
 */
#include <elf.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"

/* The native ELF class: a module is loaded into this process or none. */
#if __SIZEOF_POINTER__ == 8
#define NATIVE_CLASS ELFCLASS64
#else
#define NATIVE_CLASS ELFCLASS32
#endif

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    long size;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (data = malloc((size_t)size)) &&
        fread(data, 1, (size_t)size, f) == (size_t)size) {
        *len = (size_t)size;
    } else {
        free(data);
        data = NULL;
    }
    fclose(f);
    return data;
}

static bool inside(size_t len, uint64_t off, uint64_t size)
{
    return off <= len && size <= len - off;
}

/* A symbol of this platform's ELF class, named so that sizeof reads as a
 * type's. */
typedef ElfW(Sym) elf_sym;

/* The section headers of the .dynsym and its string table, or NULL. */
static const ElfW(Shdr) *
    find_dynsym(const char *data, size_t len, const ElfW(Shdr) * *strtab)
{
    const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)data;
    const ElfW(Shdr) *sh = (const ElfW(Shdr) *)(data + eh->e_shoff);

    if (eh->e_shentsize != sizeof *sh ||
        !inside(len, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof *sh))
        return NULL;
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_DYNSYM || sh[i].sh_link >= eh->e_shnum ||
            sh[i].sh_entsize != sizeof(elf_sym) ||
            !inside(len, sh[i].sh_offset, sh[i].sh_size))
            continue;
        *strtab = &sh[sh[i].sh_link];
        if (!inside(len, (*strtab)->sh_offset, (*strtab)->sh_size))
            return NULL;
        return &sh[i];
    }
    return NULL;
}

/* Whether sym is something the module offers to the outside. */
static bool exported(const ElfW(Sym) * sym)
{
    unsigned bind = ELF64_ST_BIND(sym->st_info);
    unsigned type = ELF64_ST_TYPE(sym->st_info);

    if (sym->st_shndx == SHN_UNDEF || (bind != STB_GLOBAL && bind != STB_WEAK))
        return false;
    /* A named version node of a version script shows up as an absolute
     * object of size 0; it is a label, not code or data. */
    if (sym->st_shndx == SHN_ABS && sym->st_size == 0)
        return false;
    return type == STT_FUNC || type == STT_OBJECT || type == STT_TLS ||
           type == STT_GNU_IFUNC;
}

/* Symbols the static linker adds to some shared objects by itself (older
 * binutils export them all); a module author cannot be blamed for them. */
static bool linker_own(const char *name)
{
    static const char *const own[] = {"_init", "_fini", "__bss_start", "_edata",
                                      "_end"};

    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
        if (strcmp(name, own[i]) == 0)
            return true;
    return false;
}

/* Walk the symbols; false with why on a malformed table. */
static bool scan(const char *data, size_t len, bool *entry, char *extra,
                 size_t extralen, char *why, size_t whylen)
{
    const ElfW(Shdr) *strtab = NULL;
    const ElfW(Shdr) *dynsym = find_dynsym(data, len, &strtab);

    if (!dynsym) {
        snprintf(why, whylen, "no readable .dynsym section");
        return false;
    }
    const ElfW(Sym) *sym = (const ElfW(Sym) *)(data + dynsym->sh_offset);
    const char *names = data + strtab->sh_offset;
    size_t n = dynsym->sh_size / sizeof *sym;

    for (size_t i = 1; i < n; i++) {
        if (!exported(&sym[i]))
            continue;
        if (sym[i].st_name >= strtab->sh_size ||
            !memchr(names + sym[i].st_name, '\0',
                    strtab->sh_size - sym[i].st_name)) {
            snprintf(why, whylen, "symbol %zu has a name outside .dynstr", i);
            return false;
        }
        const char *name = names + sym[i].st_name;
        if (strcmp(name, FLEETMOD_MODULE_SYMBOL) == 0)
            *entry = true;
        else if (!linker_own(name))
            snprintf(extra + strlen(extra), extralen - strlen(extra), " %s",
                     name);
    }
    return true;
}

bool elf_exports_only_entry(const char *path, char *why, size_t whylen)
{
    size_t len = 0;
    char *data = read_file(path, &len);
    const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)data;
    char extra[WHY_SIZE / 2] = "";
    bool entry = false, ok = false;

    if (!data)
        snprintf(why, whylen, "cannot read %s", path);
    else if (len < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
             eh->e_ident[EI_CLASS] != NATIVE_CLASS)
        snprintf(why, whylen, "%s is not an ELF file of this machine", path);
    else if (scan(data, len, &entry, extra, sizeof extra, why, whylen)) {
        if (!entry)
            snprintf(why, whylen, "%s is not exported", FLEETMOD_MODULE_SYMBOL);
        else if (extra[0])
            snprintf(why, whylen, "also exports:%s", extra);
        else
            ok = true;
    }
    free(data);
    return ok;
}
