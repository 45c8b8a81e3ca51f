/*
 * The CUnit runner: every tests/unit/test_NAME.c registers its suite through
 * test_NAME_register(); the Makefile generates the list. Arguments, if any,
 * name the suites to run.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>

void tests_register_all(void);

int main(int argc, char **argv)
{
	unsigned failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	tests_register_all();
	CU_basic_set_mode(CU_BRM_NORMAL);
	if (argc > 1) {
		int i;

		for (i = 1; i < argc; i++) {
			CU_pSuite s = CU_get_suite(argv[i]);

			if (s == NULL) {
				fprintf(stderr, "no suite %s\n", argv[i]);
				CU_cleanup_registry();
				return 2;
			}
			CU_basic_run_suite(s);
		}
	} else {
		CU_basic_run_tests();
	}
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
