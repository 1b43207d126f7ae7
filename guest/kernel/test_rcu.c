/*
 * RCU torture (after rcutorture): readers walk a list and a hash table that a
 * writer changes, and never see an element freed under them; selftest=norcu frees
 * without a grace period and counts what the readers saw.
 */

#include "kernel.h"
#include "poison.h"
#include "rculist.h"
#include "selftest.h"
#include "setup.h"
#include "smp.h"
#include "spinlock.h"

#define RCU_LIST_LEN 8
#define RCU_POOL 64
#define RCU_PAYLOAD_WORDS 6
#define RCU_HASH 4
#define RCU_ROUNDS 24

struct rcu_elem {
	struct list_head list; /* first: a poisoned link is the element pointer itself */
	struct hlist_node hnode;
	u64 payload[RCU_PAYLOAD_WORDS];
	u64 key;
	struct rcu_head rcu;
};

static struct rcu_elem rcu_pool[RCU_POOL];
/* Free elements, oldest first: a freed element stays poisoned for a while before reuse. */
static struct rcu_elem *rcu_free_fifo[RCU_POOL];
static unsigned int rcu_free_head, rcu_free_count;
static DEFINE_SPINLOCK(rcu_pool_lock);
static unsigned int rcu_pool_corrupt; /* written after free */

static LIST_HEAD(rcu_list);
static struct hlist_head rcu_hash[RCU_HASH];
static atomic_t rcu_poisoned, rcu_reads, rcu_bad_payload;
static int rcu_writer_done;
static bool rcu_skip_gp;
static atomic_t rcu_cb_pending;

static void rcu_elem_free(struct rcu_elem *e)
{
	unsigned long flags;

	poison_object(e, sizeof(*e));
	flags = spin_lock_irqsave(&rcu_pool_lock);
	rcu_free_fifo[(rcu_free_head + rcu_free_count++) % RCU_POOL] = e;
	spin_unlock_irqrestore(&rcu_pool_lock, flags);
}

static struct rcu_elem *rcu_elem_alloc(u64 key)
{
	struct rcu_elem *e = NULL;
	unsigned long flags;
	unsigned int i;

	flags = spin_lock_irqsave(&rcu_pool_lock);
	if (rcu_free_count) {
		e = rcu_free_fifo[rcu_free_head];
		rcu_free_head = (rcu_free_head + 1) % RCU_POOL;
		rcu_free_count--;
	}
	spin_unlock_irqrestore(&rcu_pool_lock, flags);
	if (!e)
		return NULL;
	if (check_poison(e, sizeof(*e)))
		rcu_pool_corrupt++;
	e->key = key;
	for (i = 0; i < RCU_PAYLOAD_WORDS; i++)
		e->payload[i] = key * 0x100 + i;
	INIT_HLIST_NODE(&e->hnode);
	return e;
}

static void rcu_elem_free_cb(struct rcu_head *head)
{
	rcu_elem_free(container_of(head, struct rcu_elem, rcu));
	atomic_dec(&rcu_cb_pending);
}

/* Returns true if e is poisoned (counted). */
static bool rcu_check_elem(struct rcu_elem *e, u64 *key)
{
	unsigned int i;

	if (ptr_poisoned(e))
		return true;
	for (i = 0; i < RCU_PAYLOAD_WORDS; i++) {
		u64 w = READ_ONCE(e->payload[i]);

		if (word_poisoned(w))
			return true;
		if (i == 0)
			*key = w >> 8;
		else if (w != *key * 0x100 + i)
			atomic_inc(&rcu_bad_payload);
		spin_delay(20);
	}
	return false;
}

static void rcu_reader(void)
{
	unsigned int iter = 0, poisoned = 0;
	struct rcu_elem *e;
	u64 key;

	while (!smp_load_acquire(&rcu_writer_done)) {
		rcu_read_lock();
		list_for_each_entry_rcu(e, &rcu_list, list)
		{
			if (rcu_check_elem(e, &key)) {
				poisoned++;
				break;
			}
		}
		rcu_read_unlock();
		spin_delay(200);
		rcu_read_lock_bh();
		hlist_for_each_entry_rcu(e, &rcu_hash[iter % RCU_HASH], hnode)
		{
			if (ptr_poisoned(&e->hnode) || rcu_check_elem(e, &key)) {
				poisoned++;
				break;
			}
		}
		rcu_read_unlock_bh();
		/* Every other pass a voluntary quiescent state; otherwise the tick finds one. */
		if (iter++ & 1)
			rcu_all_qs();
		spin_delay(200);
	}
	atomic_add(poisoned, &rcu_poisoned);
	atomic_add(iter, &rcu_reads);
}

static void rcu_writer(void)
{
	unsigned int round;

	for (round = 0; round < RCU_ROUNDS; round++) {
		u64 key = round % RCU_LIST_LEN;
		struct rcu_elem *old, *e, *new = rcu_elem_alloc(key);

		if (!new)
			break;
		old = NULL;
		list_for_each_entry(e, &rcu_list, list)
		{
			if (e->key == key) {
				old = e;
				break;
			}
		}
		if (!old)
			break;
		/* list: replace in place; hash: delete, then add the new one at the head. */
		list_replace_rcu(&old->list, &new->list);
		hlist_del_rcu(&old->hnode);
		hlist_add_head_rcu(&new->hnode, &rcu_hash[key % RCU_HASH]);
		if (rcu_skip_gp) {
			rcu_elem_free(old);
		} else if (round & 1) {
			atomic_inc(&rcu_cb_pending);
			call_rcu(&old->rcu, rcu_elem_free_cb);
		} else {
			synchronize_rcu();
			rcu_elem_free(old);
		}
		/* Let the readers get going on the new list. */
		udelay(250);
	}
	smp_store_release(&rcu_writer_done, 1);
}

static void rcu_worker(void *arg)
{
	selftest_rendezvous();
	if (smp_processor_id() == 0)
		rcu_writer();
	else
		rcu_reader();
}

static void rcu_setup(bool skip_gp)
{
	unsigned int i;

	INIT_LIST_HEAD(&rcu_list);
	for (i = 0; i < RCU_HASH; i++)
		INIT_HLIST_HEAD(&rcu_hash[i]);
	rcu_free_head = rcu_free_count = 0;
	rcu_pool_corrupt = 0;
	for (i = 0; i < RCU_POOL; i++)
		rcu_elem_free(&rcu_pool[i]);
	for (i = 0; i < RCU_LIST_LEN; i++) {
		struct rcu_elem *e = rcu_elem_alloc(i);

		list_add_tail_rcu(&e->list, &rcu_list);
		hlist_add_head_rcu(&e->hnode, &rcu_hash[i % RCU_HASH]);
	}
	atomic_set(&rcu_poisoned, 0);
	atomic_set(&rcu_reads, 0);
	atomic_set(&rcu_bad_payload, 0);
	atomic_set(&rcu_cb_pending, 0);
	rcu_writer_done = 0;
	rcu_skip_gp = skip_gp;
}

static void test_rcu(void)
{
	unsigned long gp = rcu_gp_completed();
	unsigned int ngp;

	rcu_setup(false);
	run_on_each_cpu(rcu_worker, NULL);
	/* The callbacks queued before it run before it returns (same CPU, in order). */
	synchronize_rcu();
	ngp = rcu_gp_completed() - gp;
	printk(MACHINE_DEPENDENT "rcu: %u grace periods, %d reader passes, %d poisoned\n", ngp,
	       atomic_read(&rcu_reads), atomic_read(&rcu_poisoned));
	if (atomic_read(&rcu_poisoned))
		selftest_report("rcu", false, "readers saw %d poisoned elements",
				atomic_read(&rcu_poisoned));
	else if (atomic_read(&rcu_bad_payload))
		selftest_report("rcu", false, "readers saw %d torn payloads",
				atomic_read(&rcu_bad_payload));
	else if (atomic_read(&rcu_cb_pending))
		selftest_report("rcu", false, "%d call_rcu callbacks did not run",
				atomic_read(&rcu_cb_pending));
	else if (rcu_pool_corrupt)
		selftest_report("rcu", false, "%u freed elements were written after free",
				rcu_pool_corrupt);
	else
		selftest_report("rcu", ngp >= RCU_ROUNDS / 2 + 1, "only %u grace periods", ngp);
}

static void test_rcu_norcu(void)
{
	rcu_setup(true);
	run_on_each_cpu(rcu_worker, NULL);
	printk("selftest rcu-norcu: readers saw %d poisoned elements\n",
	       atomic_read(&rcu_poisoned));
	printk(MACHINE_DEPENDENT "rcu-norcu: %d reader passes\n", atomic_read(&rcu_reads));
}

DEFINE_SELFTEST(selftest_rcu, "rcu", test_rcu, 0);
DEFINE_SELFTEST(selftest_rcu_norcu, "rcu-norcu", test_rcu_norcu, SELFTEST_NORCU);
