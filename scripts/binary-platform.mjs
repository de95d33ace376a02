// The platform a native binary is built for, from its header: ELF (Linux) e_machine, Mach-O (macOS) cputype,
// PE (Windows) COFF Machine. Answers in vsce's target names (linux-x64, darwin-arm64, win32-arm64, …), or null.
// References: the ELF gABI (e_machine at byte 18), Apple's <mach-o/loader.h> and <mach/machine.h>, Microsoft's
// PE format (the offset of the "PE\0\0" signature at 0x3C, Machine right after it).
const ELF_MACHINE = { 0x3e: 'x64', 0xb7: 'arm64', 0x28: 'armhf' };
const MACHO_CPU = { 0x01000007: 'x64', 0x0100000c: 'arm64' };
const PE_MACHINE = { 0x8664: 'x64', 0xaa64: 'arm64' };

/** The vsce target `head` (a binary's first bytes, 4 KB is plenty) was built for, or null if not known. */
export function binaryPlatform(head) {
  if (head.length >= 20 && head.readUInt32BE(0) === 0x7f454c46) return named('linux', ELF_MACHINE[head.readUInt16LE(18)]);
  if (head.length >= 8 && head.readUInt32LE(0) === 0xfeedfacf) return named('darwin', MACHO_CPU[head.readUInt32LE(4)]);
  if (head.length >= 0x40 && head.toString('latin1', 0, 2) === 'MZ') {
    const pe = head.readUInt32LE(0x3c);
    if (pe + 6 <= head.length && head.readUInt32BE(pe) === 0x50450000) return named('win32', PE_MACHINE[head.readUInt16LE(pe + 4)]);
  }
  return null;
}

const named = (platform, arch) => (arch ? `${platform}-${arch}` : null);
