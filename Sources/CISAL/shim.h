// Intel ISA-L (Debian libisal-dev): crc32_iscsi is CRC-32C (Castagnoli), the checksum of TFRecord framing.
#include <isa-l/crc.h>
