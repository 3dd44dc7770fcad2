/*
 * SPDX-License-Identifier: ISC
 *
 * units.h: what systemd was told about the homegw units, read from its
 * configuration files (no D-Bus, no systemctl), so that a daemon the
 * owner disabled reads as disabled, not as a fault.
 */
#ifndef HGW_UNITS_H
#define HGW_UNITS_H

/*
 * 1 when homegw-<daemon>.service is disabled or masked while
 * homegw.target is enabled; 0 when it is enabled, or when systemd does
 * not manage homegw here (no homegw.target.wants directory: daemons
 * started by hand, the tests' labs).  $HGW_SYSTEMD_DIR replaces
 * /etc/systemd/system.
 */
int	units_disabled(const char *daemon);

#endif /* HGW_UNITS_H */
