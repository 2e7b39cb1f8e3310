"""Who may use the console: sign-in and out, API keys, the IAM page, shutting a project down."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from console.iam import access, roles
from console.iam.models import ApiKey, RoleBinding, UnknownMember, find_member, member_name
from console.web.forms import ApiKeyForm, GrantRoleForm, ShutDownForm
from console.web.views import _get_project_for_user

# A client address may try a few usernames (a shared NAT, a typo) before it is paused too.
ADDRESS_FACTOR = 3


def _throttle_keys(request: HttpRequest, username: str) -> list[tuple[str, int]]:
    limit = settings.QUARRY_SIGN_IN_ATTEMPTS
    name = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    address = request.META.get("REMOTE_ADDR", "")
    return [(f"signin:user:{name}", limit), (f"signin:addr:{address}", limit * ADDRESS_FACTOR)]


def _throttled(keys: list[tuple[str, int]]) -> bool:
    return any(cache.get(key, 0) >= limit for key, limit in keys)


def _record_failure(keys: list[tuple[str, int]]) -> None:
    for key, _ in keys:
        cache.add(key, 0, settings.QUARRY_SIGN_IN_LOCKOUT_S)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, settings.QUARRY_SIGN_IN_LOCKOUT_S)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return settings.LOGIN_REDIRECT_URL


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = AuthenticationForm(request, data=request.POST or None)
    status, refusal = 200, ""
    if request.method == "POST":
        keys = _throttle_keys(request, request.POST.get("username", ""))
        if _throttled(keys):
            # Refused before the password is even checked, so guessing gains nothing.
            minutes = max(1, settings.QUARRY_SIGN_IN_LOCKOUT_S // 60)
            refusal = f"Too many failed sign-in attempts. Try again in {minutes} minutes."
            form = AuthenticationForm(request, initial={"username": request.POST.get("username")})
            status = 429
        elif form.is_valid():
            login(request, form.get_user())
            return redirect(_next_url(request))
        else:
            _record_failure(keys)
            status = 400
    ctx = {
        "form": form,
        "refusal": refusal,
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "web/sign_in.html", ctx, status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect(settings.LOGIN_URL)


# API keys ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def api_keys(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    token = None
    if request.method == "POST" and form.is_valid():
        _, token = ApiKey.issue(request.user, form.cleaned_data["name"])
        form = ApiKeyForm()
    keys = ApiKey.objects.filter(user=request.user)
    ctx = {"form": form, "keys": keys, "token": token}
    return render(request, "web/api_keys.html", ctx, status=400 if form.errors else 200)


@login_required
@require_POST
def revoke_api_key(request: HttpRequest, key_id: int) -> HttpResponse:
    key = ApiKey.objects.filter(user=request.user, pk=key_id).first()
    if key is not None:
        key.revoke()
        messages.success(request, f"API key {key.name} revoked.")
    return redirect("web:api_keys")


# IAM --------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def iam(request: HttpRequest) -> HttpResponse:
    project = _get_project_for_user(request, roles.PROJECTS_GET_IAM_POLICY)
    form = GrantRoleForm(request.POST or None)
    if request.method == "POST":
        access.check(request.user, roles.PROJECTS_SET_IAM_POLICY, project)
        if form.is_valid():
            try:
                user = find_member(form.cleaned_data["member"])
            except UnknownMember as err:
                form.add_error("member", str(err))
            else:
                role = form.cleaned_data["role"]
                RoleBinding.grant(project, user, role)
                messages.success(request, f"Granted {role} to {member_name(user)}.")
                return redirect("web:iam")
    bindings = RoleBinding.objects.filter(project=project).select_related("user")
    ctx = {
        "project": project,
        "bindings": bindings,
        "form": form,
        "can_edit": access.can(request.user, roles.PROJECTS_SET_IAM_POLICY, project),
        "can_shut_down": access.can(request.user, roles.PROJECTS_DELETE, project),
    }
    return render(request, "web/iam.html", ctx, status=400 if form.errors else 200)


@login_required
@require_POST
def revoke_role(request: HttpRequest, binding_id: int) -> HttpResponse:
    project = _get_project_for_user(request, roles.PROJECTS_SET_IAM_POLICY)
    binding = RoleBinding.objects.filter(project=project, pk=binding_id).first()
    if binding is not None:
        binding.delete()
        messages.success(request, f"Revoked {binding.role} from {member_name(binding.user)}.")
    return redirect("web:iam")


@login_required
@require_http_methods(["GET", "POST"])
def shut_down(request: HttpRequest) -> HttpResponse:
    project = _get_project_for_user(request, roles.PROJECTS_DELETE)
    form = ShutDownForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        project_id = project.project_id
        project.shut_down()
        request.session.pop("project_id", None)
        messages.success(
            request, f"Project {project_id} has been shut down and everything in it deleted."
        )
        return redirect("web:index")
    status = 400 if form.errors else 200
    return render(request, "web/shut_down.html", {"project": project, "form": form}, status=status)
