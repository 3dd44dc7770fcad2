/*
 * SPDX-License-Identifier: ISC
 *
 * schema.h: the SQL schema of live.db and homegw.db as a list of
 * migrations.  Migration i (0-based) takes a database from user_version i
 * to i + 1; state.c applies them in order inside one transaction.
 */
#ifndef HGW_SCHEMA_H
#define HGW_SCHEMA_H

extern const char *const schema_live[];
extern const int schema_live_count;
extern const char *const schema_persist[];
extern const int schema_persist_count;

#endif /* HGW_SCHEMA_H */
