#include "sim/platform/elf_image.h"

#include "sim/core/error.h"
#include "tests/unit/platform/elf_builder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <random>

namespace smpsim::platform {
namespace {

using test::build_elf;
using test::BuiltElf;
using test::ElfSpec;
using test::put_le;
using ::testing::HasSubstr;
using ::testing::StartsWith;

ElfSpec sample_spec(bool is64) {
    ElfSpec s;
    s.is64 = is64;
    s.machine = is64 ? kEmX86_64 : kEmI386;
    s.entry = 0x100010;
    test::SegSpec text;
    text.vaddr = text.paddr = 0x100000;
    text.data = std::vector<u8>(0x40, 0x90);
    text.flags = kPfR | kPfX;
    test::SegSpec data;
    data.vaddr = is64 ? 0xffffffff80102000ULL : 0xc0102000;
    data.paddr = 0x102000;
    data.data = {1, 2, 3, 4, 5, 6, 7, 8};
    data.memsz = 0x1000;
    data.flags = kPfR | kPfW;
    s.segments = {text, data};
    s.symbols = {
        {"main", 0x100010, 0x20, 2, 1},   {"_start", 0x100000, 0x10, 2, 1}, {"counter", 0x102000, 8, 1, 2},
        {"label", 0x100030, 0, 2, 1}, // size 0: reaches up to the next symbol (table)
        {"table", 0x100038, 8, 1, 1},     {"notype", 0x100050, 4, 0, 1}, // STT_NOTYPE: ignored
        {"undefined", 0, 0, 2, 0},                                       // SHN_UNDEF: ignored
        {"last_label", 0x103000, 0, 2, 1} // size 0 and last: covers only its own address
    };
    return s;
}

ElfImage parse(const std::vector<u8>& b, const std::string& name = "guest.elf") {
    return ElfImage::parse(b, name);
}

// Runs parse and returns the InputError message ("" when it parsed).
std::string parse_error(const std::vector<u8>& b) {
    try {
        parse(b);
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

class ElfBothClasses : public ::testing::TestWithParam<bool> {};

TEST_P(ElfBothClasses, ParsesHeaderSegmentsAndSymbols) {
    const bool is64 = GetParam();
    const BuiltElf built = build_elf(sample_spec(is64));
    const ElfImage img = parse(built.bytes);

    EXPECT_EQ(img.name(), "guest.elf");
    EXPECT_EQ(img.is_64bit(), is64);
    EXPECT_EQ(img.elf_class(), is64 ? ElfClass::Elf64 : ElfClass::Elf32);
    EXPECT_EQ(img.machine(), is64 ? kEmX86_64 : kEmI386);
    EXPECT_EQ(img.type(), kEtExec);
    EXPECT_EQ(img.entry(), 0x100010u);
    EXPECT_EQ(img.file_size(), built.bytes.size());

    ASSERT_EQ(img.load_segments().size(), 2u);
    const ElfSegment& t = img.load_segments()[0];
    EXPECT_EQ(t.index, 0u);
    EXPECT_EQ(t.offset, built.seg_offsets[0]);
    EXPECT_EQ(t.vaddr, 0x100000u);
    EXPECT_EQ(t.paddr, 0x100000u);
    EXPECT_EQ(t.filesz, 0x40u);
    EXPECT_EQ(t.memsz, 0x40u);
    EXPECT_EQ(t.flags, kPfR | kPfX);
    const ElfSegment& d = img.load_segments()[1];
    EXPECT_EQ(d.vaddr, is64 ? 0xffffffff80102000ULL : 0xc0102000ULL);
    EXPECT_EQ(d.paddr, 0x102000u);
    EXPECT_EQ(d.filesz, 8u);
    EXPECT_EQ(d.memsz, 0x1000u);
    EXPECT_EQ(d.flags, kPfR | kPfW);

    // FUNC and OBJECT, defined, sorted by value.
    std::vector<std::string> names;
    for (const ElfSymbol& s : img.symbols())
        names.push_back(s.name);
    EXPECT_THAT(names, ::testing::ElementsAre("_start", "main", "label", "table", "counter", "last_label"));
    EXPECT_EQ(img.find_symbol("counter")->type, ElfSymbolType::Object);
    EXPECT_EQ(img.find_symbol("main")->type, ElfSymbolType::Function);
    EXPECT_EQ(img.find_symbol("main")->size, 0x20u);
    EXPECT_EQ(img.find_symbol("notype"), nullptr);
    EXPECT_EQ(img.find_symbol("undefined"), nullptr);
}

TEST_P(ElfBothClasses, Symbolize) {
    const ElfImage img = parse(build_elf(sample_spec(GetParam())).bytes);
    auto sym = [&](u64 a) {
        auto r = img.symbolize(a);
        return r ? std::string(r->name) + "+" + std::to_string(r->offset) : std::string("-");
    };
    EXPECT_EQ(sym(0xfffff), "-");
    EXPECT_EQ(sym(0x100000), "_start+0");
    EXPECT_EQ(sym(0x10000f), "_start+15");
    EXPECT_EQ(sym(0x100010), "main+0");
    EXPECT_EQ(sym(0x10002f), "main+31");
    EXPECT_EQ(sym(0x100030), "label+0");
    EXPECT_EQ(sym(0x100037), "label+7");
    EXPECT_EQ(sym(0x100038), "table+0");
    EXPECT_EQ(sym(0x100040), "-"); // after table, before the NOTYPE symbol (ignored)
    EXPECT_EQ(sym(0x102007), "counter+7");
    EXPECT_EQ(sym(0x102008), "-");
    EXPECT_EQ(sym(0x103000), "last_label+0");
    EXPECT_EQ(sym(0x103001), "-");
    EXPECT_EQ(sym(~u64{0}), "-");
}

INSTANTIATE_TEST_SUITE_P(Classes, ElfBothClasses, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Elf64" : "Elf32"; });

TEST(ElfImage, SymbolizeNestedSymbols) {
    ElfSpec s = sample_spec(true);
    s.symbols = {{"outer", 0x1000, 0x100, 1, 1}, {"inner", 0x1010, 0x10, 1, 1}, {"after", 0x2000, 4, 2, 1}};
    const ElfImage img = parse(build_elf(s).bytes);
    EXPECT_EQ(img.symbolize(0x1015)->name, "inner");
    EXPECT_EQ(img.symbolize(0x1050)->name, "outer"); // past inner, still inside outer
    EXPECT_EQ(img.symbolize(0x1050)->offset, 0x50u);
    EXPECT_FALSE(img.symbolize(0x1100).has_value());
    EXPECT_EQ(img.symbolize(0x2003)->name, "after");
}

TEST(ElfImage, StrippedFileHasNoSymbols) {
    ElfSpec s = sample_spec(false);
    s.symbols.clear();
    const ElfImage img = parse(build_elf(s).bytes);
    EXPECT_TRUE(img.symbols().empty());
    EXPECT_FALSE(img.symbolize(0x100000).has_value());
}

TEST(ElfImage, AcceptsPositionIndependentExecutables) {
    ElfSpec s = sample_spec(true);
    s.type = kEtDyn;
    EXPECT_EQ(parse(build_elf(s).bytes).type(), kEtDyn);
}

TEST(ElfImage, HostBinarySmokeTest) {
    std::ifstream f("/bin/true", std::ios::binary);
    if (!f) GTEST_SKIP() << "/bin/true not found";
    const std::vector<u8> bytes{std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
    if (bytes.size() < 20 || bytes[4] != 2 || bytes[18] != kEmX86_64)
        GTEST_SKIP() << "/bin/true is not ELF64 x86-64";
    const ElfImage img = ElfImage::parse(bytes, "/bin/true");
    EXPECT_TRUE(img.is_64bit());
    EXPECT_EQ(img.machine(), kEmX86_64);
    EXPECT_FALSE(img.load_segments().empty());
    for (const ElfSegment& s : img.load_segments())
        EXPECT_LE(s.offset + s.filesz, bytes.size());
}

// ---- validation errors ----------------------------------------------------------------------------

TEST(ElfImageErrors, BadMagicAndTruncatedHeader) {
    EXPECT_EQ(parse_error({}), "guest.elf: not an ELF file (bad magic)");
    EXPECT_EQ(parse_error({0x7f, 'E', 'L'}), "guest.elf: not an ELF file (bad magic)");
    EXPECT_EQ(parse_error({'M', 'Z', 0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}),
              "guest.elf: not an ELF file (bad magic)");
    EXPECT_EQ(parse_error({0x7f, 'E', 'L', 'F', 2, 1}), "guest.elf: truncated ELF header");
    std::vector<u8> b = build_elf(sample_spec(true)).bytes;
    b.resize(40);
    EXPECT_EQ(parse_error(b), "guest.elf: truncated ELF header");
}

TEST(ElfImageErrors, IdentAndHeaderFields) {
    const std::vector<u8> good = build_elf(sample_spec(true)).bytes;
    auto with = [&](u64 off, u64 v, int n) {
        std::vector<u8> b = good;
        put_le(b, off, v, n);
        return parse_error(b);
    };
    EXPECT_THAT(with(4, 3, 1), HasSubstr("unsupported ELF class 3"));
    EXPECT_THAT(with(5, 2, 1), HasSubstr("not a little-endian ELF file"));
    EXPECT_THAT(with(6, 0, 1), HasSubstr("unsupported ELF version 0"));
    EXPECT_THAT(with(16, 1, 2), HasSubstr("not an executable ELF file (e_type = 1)"));
    EXPECT_THAT(with(18, 40, 2), HasSubstr("unsupported machine 40"));
    EXPECT_THAT(with(18, kEmI386, 2), HasSubstr("ELF64 file with a 32-bit x86 machine type"));
    EXPECT_THAT(with(52, 10, 2), HasSubstr("ELF header size 10 is too small"));
    for (const std::string& m : {with(4, 3, 1), with(18, 40, 2)})
        EXPECT_THAT(m, StartsWith("guest.elf: "));
}

TEST(ElfImageErrors, ProgramHeaderTable) {
    for (bool is64 : {false, true}) {
        SCOPED_TRACE(is64 ? "ELF64" : "ELF32");
        const BuiltElf built = build_elf(sample_spec(is64));
        const u64 phoff_at = is64 ? 32 : 28, tail = is64 ? 52 : 40;
        const int w = is64 ? 8 : 4;
        auto with = [&](u64 off, u64 v, int n) {
            std::vector<u8> b = built.bytes;
            put_le(b, off, v, n);
            return parse_error(b);
        };
        EXPECT_EQ(with(phoff_at, built.bytes.size() - 8, w), "guest.elf: truncated program header table");
        EXPECT_EQ(with(phoff_at, is64 ? 0xffffffffffffff00ULL : 0xffffff00ULL, w),
                  "guest.elf: truncated program header table");
        EXPECT_EQ(with(phoff_at, 0, w), "guest.elf: program header table at offset 0");
        EXPECT_EQ(with(tail + 4, 0, 2), "guest.elf: no program headers");
        EXPECT_EQ(with(tail + 4, 0xffff, 2),
                  "guest.elf: too many program headers (extended numbering is not supported)");
        EXPECT_EQ(with(tail + 4, 0x7fff, 2), "guest.elf: truncated program header table");
        EXPECT_THAT(with(tail + 2, 8, 2), HasSubstr("program header entry size 8 is too small"));
        // No PT_LOAD left.
        std::vector<u8> b = built.bytes;
        put_le(b, built.phoff, 4, 4);
        put_le(b, built.phoff + built.phentsize, 4, 4);
        EXPECT_EQ(parse_error(b), "guest.elf: no loadable (PT_LOAD) segments");
    }
}

TEST(ElfImageErrors, Segments) {
    for (bool is64 : {false, true}) {
        SCOPED_TRACE(is64 ? "ELF64" : "ELF32");
        const BuiltElf built = build_elf(sample_spec(is64));
        const u64 p1 = built.phoff + built.phentsize; // the data segment
        const int w = is64 ? 8 : 4;
        const u64 o_offset = is64 ? 8 : 4, o_vaddr = is64 ? 16 : 8, o_paddr = is64 ? 24 : 12,
                  o_filesz = is64 ? 32 : 16, o_memsz = is64 ? 40 : 20;
        auto with = [&](std::vector<std::pair<u64, u64>> fields) {
            std::vector<u8> b = built.bytes;
            for (auto [off, v] : fields)
                put_le(b, p1 + off, v, w);
            return parse_error(b);
        };
        EXPECT_EQ(with({{o_filesz, 0x2000}}),
                  "guest.elf: segment 1: file size 0x2000 exceeds memory size 0x1000");
        EXPECT_THAT(with({{o_offset, built.bytes.size() - 4}}),
                    HasSubstr("guest.elf: segment 1: data (offset"));
        EXPECT_THAT(with({{o_offset, built.bytes.size() - 4}}),
                    HasSubstr("extends past the end of the file"));
        // offset + filesz overflows the integer type: must still be caught.
        EXPECT_THAT(with({{o_offset, is64 ? 0xffffffffffffff00ULL : 0xffffff00ULL},
                          {o_filesz, 0x200},
                          {o_memsz, 0x200}}),
                    HasSubstr("extends past the end of the file"));
        EXPECT_EQ(with({{o_vaddr, is64 ? 0xfffffffffffff800ULL : 0xfffff800ULL}}),
                  "guest.elf: segment 1: address range wraps around the address space");
        EXPECT_EQ(with({{o_paddr, is64 ? 0xfffffffffffff800ULL : 0xfffff800ULL}}),
                  "guest.elf: segment 1: address range wraps around the address space");
        // Ending exactly at the top of the address space is fine.
        EXPECT_EQ(with({{o_paddr, is64 ? 0xfffffffffffff000ULL : 0xfffff000ULL}}), "");
    }
}

TEST(ElfImageErrors, SectionsAndSymbols) {
    for (bool is64 : {false, true}) {
        SCOPED_TRACE(is64 ? "ELF64" : "ELF32");
        const BuiltElf built = build_elf(sample_spec(is64));
        const int w = is64 ? 8 : 4;
        const u64 shoff_at = is64 ? 40 : 32, tail = is64 ? 52 : 40;
        const u64 sym_sh = built.shoff + built.shentsize, str_sh = built.shoff + 2 * built.shentsize;
        const u64 o_offset = is64 ? 24 : 16, o_size = is64 ? 32 : 20, o_link = is64 ? 40 : 24,
                  o_entsize = is64 ? 56 : 36;
        auto with = [&](u64 off, u64 v, int n) {
            std::vector<u8> b = built.bytes;
            put_le(b, off, v, n);
            return parse_error(b);
        };
        EXPECT_EQ(with(shoff_at, built.bytes.size() - 10, w), "guest.elf: truncated section header table");
        EXPECT_EQ(with(shoff_at, is64 ? ~u64{0} - 5 : 0xfffffffa, w),
                  "guest.elf: truncated section header table");
        EXPECT_EQ(with(tail + 8, 0x4000, 2), "guest.elf: truncated section header table");
        EXPECT_THAT(with(tail + 6, 12, 2), HasSubstr("section header entry size 12 is too small"));
        EXPECT_EQ(with(sym_sh + o_offset, built.bytes.size(), w), "guest.elf: truncated symbol table");
        EXPECT_EQ(with(sym_sh + o_size, is64 ? ~u64{0} : 0xffffffff, w), "guest.elf: truncated symbol table");
        EXPECT_THAT(with(sym_sh + o_entsize, 0, w), HasSubstr("symbol table entry size 0 is too small"));
        EXPECT_EQ(with(sym_sh + o_link, 7, 4),
                  "guest.elf: symbol table links to string table section 7, but there are only 3 sections");
        EXPECT_EQ(with(sym_sh + o_link, 1, 4),
                  "guest.elf: symbol table links to section 1, which is not a string table");
        EXPECT_EQ(with(str_sh + o_offset, built.bytes.size() - 2, w), "guest.elf: truncated string table");
        EXPECT_EQ(with(str_sh + o_size, built.bytes.size(), w), "guest.elf: truncated string table");
        // Symbol 1's name offset beyond the string table.
        const u64 sym1 = built.symtab_off + (is64 ? 24 : 16);
        EXPECT_THAT(with(sym1, 5000, 4),
                    HasSubstr("guest.elf: symbol 1: name offset 5000 is outside the string table"));
        // A string table whose last name is cut off before its NUL.
        EXPECT_EQ(with(str_sh + o_size, built.strtab_size - 1, w),
                  "guest.elf: symbol 8: name is not NUL-terminated");
        // Without a section table, symbols are simply absent.
        EXPECT_EQ(with(shoff_at, 0, w), "");
    }
}

TEST(ElfImageErrors, EveryTruncationIsReportedCleanly) {
    for (bool is64 : {false, true}) {
        const std::vector<u8> good = build_elf(sample_spec(is64)).bytes;
        for (size_t n = 0; n < good.size(); ++n) {
            const std::vector<u8> cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
            try {
                parse(cut);
            } catch (const InputError& e) {
                EXPECT_THAT(e.what(), StartsWith("guest.elf: ")) << "length " << n;
            }
        }
    }
}

// 20000 seeded random mutations of valid images: each must parse or throw InputError, never crash
// (the CI runs this under ASan/UBSan). Successful parses are also symbolized.
TEST(ElfImageFuzz, RandomMutationsParseOrThrowInputError) {
    const std::vector<u8> seeds[2] = {build_elf(sample_spec(false)).bytes,
                                      build_elf(sample_spec(true)).bytes};
    std::mt19937_64 rng(20240611);
    const u64 extremes[] = {0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0xffffffff, ~u64{0}, ~u64{0} - 7};
    int parsed = 0, rejected = 0;
    for (int iter = 0; iter < 20000; ++iter) {
        std::vector<u8> b = seeds[iter & 1];
        const int edits = 1 + static_cast<int>(rng() % 6);
        for (int e = 0; e < edits; ++e) {
            const u64 pos = rng() % b.size();
            switch (rng() % 4) {
            case 0: b[pos] = static_cast<u8>(rng()); break;
            case 1: b[pos] ^= static_cast<u8>(1u << (rng() % 8)); break;
            case 2: { // an extreme value into a 2/4/8-byte field
                const int n = 2 << (rng() % 3);
                if (pos + n <= b.size()) put_le(b, pos, extremes[rng() % std::size(extremes)], n);
                break;
            }
            default:
                if (rng() % 4 == 0) b.resize(pos);
                break;
            }
            if (b.empty()) break;
        }
        try {
            const ElfImage img = ElfImage::parse(b, "fuzz.elf");
            ++parsed;
            for (int k = 0; k < 4; ++k)
                (void)img.symbolize(rng() % 0x110000);
            for (const ElfSegment& s : img.load_segments()) {
                ASSERT_LE(s.offset, b.size());
                ASSERT_LE(s.filesz, b.size() - s.offset);
                ASSERT_LE(s.filesz, s.memsz);
            }
        } catch (const InputError& e) {
            ++rejected;
            ASSERT_THAT(e.what(), StartsWith("fuzz.elf: "));
        }
    }
    EXPECT_GT(parsed, 100);
    EXPECT_GT(rejected, 100);
}

} // namespace
} // namespace smpsim::platform
