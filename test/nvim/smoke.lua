-- Neovim as a second real LSP client (Tier 1 of shared E2E.md): start `node dist/server.js --stdio`,
-- open a fixture, wait for the blocking-in-async diagnostic, hover the await, apply the preferred
-- code action and wait for the diagnostic to go. Exits 0 on success, 1 with a message on stderr.
-- Environment: AB_SERVER (dist/server.js), AB_FILE (a copy of the fixture), AB_ROOT (its folder).
local server, file, root = os.getenv('AB_SERVER'), os.getenv('AB_FILE'), os.getenv('AB_ROOT')

local function fail(msg)
  io.stderr:write('nvim smoke: ' .. msg .. '\n')
  vim.cmd('cquit 1')
end

local latest = nil
local id = vim.lsp.start_client({
  name = 'async-boundary',
  cmd = { 'node', server, '--stdio' },
  root_dir = root,
  settings = { asyncBoundary = { debounceMs = 0 } },
  handlers = {
    ['textDocument/publishDiagnostics'] = function(_, result)
      latest = result
    end,
  },
})
if not id then fail('could not start the server') end

vim.cmd('edit ' .. vim.fn.fnameescape(file))
local bufnr = vim.api.nvim_get_current_buf()
vim.lsp.buf_attach_client(bufnr, id)
local uri = vim.uri_from_bufnr(bufnr)

if not vim.wait(20000, function() return latest ~= nil and #latest.diagnostics > 0 end, 10) then
  fail('no diagnostics within 20 s')
end
local diag = latest.diagnostics[1]
if diag.code ~= 'blocking-in-async' or diag.source ~= 'async-boundary' or diag.range.start.line ~= 3 then
  fail('unexpected diagnostic: ' .. vim.inspect(diag))
end

local hover = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', { textDocument = { uri = uri }, position = { line = 4, character = 3 } }, 10000)
local hover_text = hover and hover[id] and hover[id].result and hover[id].result.contents.value or ''
if not hover_text:find('Yield point 1 of 1', 1, true) then fail('hover on await: ' .. vim.inspect(hover)) end

local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', {
  textDocument = { uri = uri },
  range = diag.range,
  context = { diagnostics = latest.diagnostics },
}, 10000)
local actions = responses and responses[id] and responses[id].result or {}
local action = nil
for _, a in ipairs(actions) do
  if a.isPreferred then action = a end
end
if not action then fail('no preferred code action among ' .. vim.inspect(actions)) end
if not action.edit then
  local client = vim.lsp.get_client_by_id(id)
  local resolved = client.request_sync('codeAction/resolve', action, 10000, bufnr)
  action = resolved and resolved.result or action
end
if not action.edit then fail('the code action has no edit: ' .. vim.inspect(action)) end

latest = nil
vim.lsp.util.apply_workspace_edit(action.edit, 'utf-16')
local line = vim.api.nvim_buf_get_lines(bufnr, 3, 4, false)[1]
if line:find('readFileSync', 1, true) then fail('line 4 still calls readFileSync: ' .. line) end
if not vim.wait(20000, function() return latest ~= nil and #latest.diagnostics == 0 end, 10) then
  fail('diagnostics did not clear after the fix: ' .. vim.inspect(latest))
end
io.stdout:write('nvim smoke: ok: ' .. line .. '\n')
vim.cmd('qa!')
