/* Backend-independent helpers of store.h. */
#include "store/store.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/rk.h"

int64_t store_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void store_audit_set(struct audit_entry *a, int64_t user_id, int64_t org_id, const char *action,
                     const char *object_kind, int64_t object_id, const char *request_id)
{
    a->user_id = user_id;
    a->org_id = org_id;
    snprintf(a->action, sizeof a->action, "%s", action ? action : "");
    snprintf(a->object_kind, sizeof a->object_kind, "%s", object_kind ? object_kind : "");
    a->object_id = object_id;
    snprintf(a->request_id, sizeof a->request_id, "%s", request_id ? request_id : "");
}

struct sync_wait {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
};

static void sync_done(struct store_write *w)
{
    struct sync_wait *sw = w->ctx;
    pthread_mutex_lock(&sw->mu);
    sw->done = true;
    pthread_cond_signal(&sw->cv);
    pthread_mutex_unlock(&sw->mu);
}

int store_write_sync(struct store *s, struct store_write *w)
{
    struct sync_wait sw = {.done = false};
    pthread_mutex_init(&sw.mu, NULL);
    pthread_cond_init(&sw.cv, NULL);
    w->done = sync_done;
    w->ctx = &sw;
    int rc = s->ops->submit(s, w);
    if (rc == RK_OK) {
        pthread_mutex_lock(&sw.mu);
        while (!sw.done)
            pthread_cond_wait(&sw.cv, &sw.mu);
        pthread_mutex_unlock(&sw.mu);
        rc = w->rc;
    }
    pthread_cond_destroy(&sw.cv);
    pthread_mutex_destroy(&sw.mu);
    return rc;
}
