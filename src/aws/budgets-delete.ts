/** Deleting the platform's cost budget (its notifications and subscribers go with it). */
import type { BudgetsClient } from "@aws-sdk/client-budgets";
import { deleteUnlessGone } from "./idempotent-delete.js";
import { loadSdk } from "./sdk.js";

export async function deleteBudget(budgets: BudgetsClient, account: string, name: string): Promise<boolean> {
  const { DeleteBudgetCommand } = await loadSdk("@aws-sdk/client-budgets");
  return deleteUnlessGone(["NotFoundException"], () => budgets.send(new DeleteBudgetCommand({ AccountId: account, BudgetName: name })));
}
