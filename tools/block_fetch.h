/*
 * SPDX-License-Identifier: ISC
 *
 * block_fetch.h: one conditional download of a URL blocklist
 * (block_fetch.c), for "homegwctl block update".
 */
#ifndef HGW_BLOCK_FETCH_H
#define HGW_BLOCK_FETCH_H

#include <stddef.h>

enum block_fetch_status {
	BLOCK_FETCH_OK,			/* 200: a new body was written */
	BLOCK_FETCH_NOT_MODIFIED,	/* 304: the last copy is current */
	BLOCK_FETCH_FAILED		/* see error */
};

struct block_fetch {
	/* in */
	const char	*url;
	const char	*ca_file;	/* NULL: the system's CA bundle */
	size_t		 max_bytes;
	unsigned int	 connect_timeout;	/* seconds */
	unsigned int	 timeout;		/* seconds, the whole transfer */
	/* in: the last copy's validators; out: the new ones */
	char		 etag[256];
	char		 last_modified[64];
	/* out */
	enum block_fetch_status status;
	long		 http_code;
	size_t		 bytes;
	char		 error[256];
};

int	block_fetch_init(void);
void	block_fetch_cleanup(void);
void	block_fetch(struct block_fetch *, int fd);

#endif /* HGW_BLOCK_FETCH_H */
