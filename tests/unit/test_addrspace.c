/* SPDX-License-Identifier: GPL-2.0-only */
/* Address-space facts parsed from the sysfs/cpuinfo/cmdline texts of real machines. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addrspace.h"
#include "unit.h"

/* This VM: AMD EPYC under KVM, no PTI, PCID, no IBPB in the CPU's flags. */
static void test_amd_pcid_no_pti(void)
{
	struct swc_addrspace as;
	char buf[512];

	swc_addrspace_parse(&as, "Not affected",
			    "Mitigation: Retpolines; STIBP: disabled; RSB filling; PBRSB-eIBRS: "
			    "Not affected; BHI: Not affected",
			    " fpu vme de pse tsc msr pae pcid sse4_1 invpcid rdseed hypervisor",
			    "mitigations=auto,no_guest_host console=ttyS0 quiet");
	CHECK_INT_EQ(as.pti, 0);
	CHECK_INT_EQ(as.pcid, 1);
	CHECK_INT_EQ(as.invpcid, 1);
	CHECK_STR_EQ(as.ibpb, "unsupported");
	CHECK_STR_EQ(as.stibp, "off");
	CHECK_STR_EQ(as.spectre_v2, "Retpolines");
	CHECK_INT_EQ(as.ibpb_per_process, 0);
	CHECK_STR_EQ(as.cmdline, "mitigations=auto,no_guest_host");
	swc_addrspace_explain(&as, 3090, 2930, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "PCID keeps both address spaces in the TLB and PTI is off: a process "
			  "switch costs about what a thread switch costs here (1.05×).");
	swc_addrspace_explain(&as, 6000, 3000, buf, sizeof(buf));
	CHECK(strstr(buf, ", yet a process switch costs 2.00× a thread switch here") != NULL);
}

/* An Intel machine with PTI, no PCID, IBPB conditional: the README's sample. */
static void test_intel_pti_no_pcid(void)
{
	struct swc_addrspace as;
	char buf[512];

	swc_addrspace_parse(&as, "Mitigation: PTI",
			    "Mitigation: Retpolines; IBPB: conditional; IBRS_FW; STIBP: "
			    "conditional; RSB filling",
			    "fpu pae ssse3 ibpb stibp pcidx hypervisor", "BOOT_IMAGE=/vmlinuz ro");
	CHECK_INT_EQ(as.pti, 1);
	CHECK_INT_EQ(as.pcid, 0);	/* "pcidx" is another word */
	CHECK_INT_EQ(as.invpcid, 0);
	CHECK_STR_EQ(as.ibpb, "conditional");
	CHECK_STR_EQ(as.stibp, "conditional");
	CHECK_INT_EQ(as.ibpb_per_process, 1);
	CHECK_STR_EQ(as.cmdline, "");
	swc_addrspace_explain(&as, 6450, 3400, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "Without PCID every change of address space flushes the TLB and PTI is "
			  "on (for threads too): a process switch costs 1.90× a thread switch "
			  "here.");
	swc_addrspace_explain(&as, 3500, 3400, buf, sizeof(buf));
	CHECK(strstr(buf, ", yet a process switch costs about what") != NULL);
}

/* IBPB always-on, boot options, unreadable files, missing figures. */
static void test_edges(void)
{
	struct swc_addrspace as;
	char buf[256];

	swc_addrspace_parse(&as, NULL, "Mitigation: Enhanced / Automatic IBRS; IBPB: always-on; "
			    "RSB filling", "pcid ibpb", "nopti nopcid spectre_v2_user=on");
	CHECK_INT_EQ(as.pti, 0);		/* from nopti, the sysfs file being absent */
	CHECK_INT_EQ(as.pcid, 0);		/* nopcid */
	CHECK_STR_EQ(as.ibpb, "always");
	CHECK_STR_EQ(as.stibp, "not reported");
	CHECK_STR_EQ(as.spectre_v2, "Enhanced / Automatic IBRS");
	CHECK_STR_EQ(as.meltdown, "unknown");
	CHECK_STR_EQ(as.cmdline, "nopti nopcid spectre_v2_user=on");
	swc_addrspace_parse(&as, "Mitigation: PTI", "Vulnerable; IBPB: disabled; STIBP: disabled",
			    "ibpb pcid", NULL);
	CHECK_STR_EQ(as.ibpb, "off");
	CHECK_STR_EQ(as.spectre_v2, "Vulnerable");
	swc_addrspace_parse(&as, NULL, NULL, NULL, NULL);
	CHECK_INT_EQ(as.pti, -1);
	CHECK_INT_EQ(as.pcid, -1);
	CHECK_STR_EQ(as.ibpb, "unknown");
	CHECK_INT_EQ(as.ibpb_per_process, -1);
	CHECK_STR_EQ(swc_addrspace_explain(&as, NAN, 3000, buf, sizeof(buf)), "");
	CHECK_STR_EQ(swc_addrspace_explain(&as, 3000, 0, buf, sizeof(buf)), "");
	/* facts not known are not guessed (lab address-space said "PTI off, no PCID" here) */
	CHECK_STR_EQ(swc_addrspace_facts(&as, buf, sizeof(buf)),
		     "whether PCID is in use is unknown");
	as.pcid = 1;
	as.pti = 0;
	CHECK_STR_EQ(swc_addrspace_facts(&as, buf, sizeof(buf)),
		     "PCID keeps both address spaces in the TLB and PTI is off");
	CHECK(swc_same_cost(3300, 3000));
	CHECK(!swc_same_cost(3500, 3000));
}

/* pti=on forced on a CPU deemed not affected: sysfs says "Not affected", cpuinfo says pti */
static void test_forced_pti(void)
{
	struct swc_addrspace as;

	swc_addrspace_parse(&as, "Not affected", "Mitigation: Retpolines",
			    " fpu vme de pse tsc pae sse4_1 pti rdseed hypervisor",
			    "console=ttyS0 pti=on nopcid");
	CHECK_INT_EQ(as.pti, 1);
	CHECK_INT_EQ(as.pcid, 0);
	CHECK_STR_EQ(as.cmdline, "pti=on nopcid");
}

/* The Debian 12 arm64 guest (6.1 under qemu's TCG, -cpu max): no "flags" line in cpuinfo, the
 * kernel tags TLB entries with ASIDs (swc_addrspace_read sets asid on arm64). */
static void test_arm64_asid(void)
{
	struct swc_addrspace as;
	char buf[512], *out = NULL;
	size_t len = 0;
	FILE *f;

	swc_addrspace_parse(&as, "Not affected", "Mitigation: CSV2, but not BHB", NULL,
			    "console=ttyAMA0 root=/dev/vda rw");
	CHECK_INT_EQ(as.asid, -1);	/* parse alone knows no architecture */
	as.asid = 1;
	CHECK_INT_EQ(as.pcid, -1);
	swc_addrspace_explain(&as, 74643.3, 33257.3, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "ASIDs keep both address spaces in the TLB and PTI is off, yet a process "
			  "switch costs 2.24× a thread switch here: what remains is the change of "
			  "address space itself (the page-table switch, and TLB and cache entries "
			  "left cold).");
	f = open_memstream(&out, &len);
	swc_addrspace_print(&as, f);
	fclose(f);
	CHECK_STR_EQ(out, "# address space: PTI off · ASIDs on · spectre_v2: CSV2, but not BHB\n"
			  "#   extra for a process switch: none of these (ASIDs keep both address "
			  "spaces in the TLB)\n");
	free(out);
}

void test_addrspace(void)
{
	test_arm64_asid();
	test_forced_pti();
	test_amd_pcid_no_pti();
	test_intel_pti_no_pcid();
	test_edges();
}
